package dev.magi.standalone;

import dev.magi.core.config.ConfigKey;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

import java.util.HashMap;
import java.util.Map;

/**
 * The standalone's command line, built from {@link ConfigKey} so that every setting has its flag
 * and {@code --help} lists each with its variable and default. Parsing answers the flags given, by
 * variable name; the environment and defaults are applied later by the configuration itself.
 */
final class CommandLineSettings {
    static final String PRINT_REGISTRY = "--print-registry";

    private final CommandSpec spec;

    CommandLineSettings() {
        spec = CommandSpec.create()
                .name("magi")
                .mixinStandardHelpOptions(true)
                .version("MAGI " + version());
        spec.usageMessage()
                .description("Finds GGUF models, sorts them into tiers and supervises llama-server processes.",
                        "Every flag can also be set by the environment variable named beside it; a flag wins.")
                .sortOptions(false);
        for (ConfigKey key : ConfigKey.values()) {
            String defaultText = key.defaultValue() == null ? "none" : key.defaultValue();
            spec.addOption(OptionSpec.builder(key.flag())
                    .paramLabel(key == ConfigKey.WATCH ? "true|false" : "<" + key.flag().substring(2) + ">")
                    .type(String.class)
                    .description(key.description() + " [env " + key.variable() + ", default " + defaultText + "]")
                    .build());
        }
        spec.addOption(OptionSpec.builder(PRINT_REGISTRY)
                .arity("0")
                .type(boolean.class)
                .description("scan, print the registry as JSON and exit")
                .build());
        spec.addSubcommand(MigrateCommand.NAME, MigrateCommand.spec());
    }

    /**
     * The parsed command line.
     *
     * @param migrate what {@code migrate} was asked, or null when the command line starts the server
     */
    record Parsed(Map<String, String> settings, boolean help, boolean version, boolean printRegistry,
                  MigrateCommand.Options migrate) {
    }

    /**
     * @throws CommandLine.ParameterException for an unknown flag or a flag without its value
     */
    Parsed parse(String... args) {
        CommandLine commandLine = new CommandLine(spec);
        ParseResult result = commandLine.parseArgs(args);
        Map<String, String> settings = new HashMap<>();
        for (ConfigKey key : ConfigKey.values()) {
            if (result.hasMatchedOption(key.flag())) {
                settings.put(key.variable(), result.matchedOptionValue(key.flag(), ""));
            }
        }
        ParseResult migrate = result.subcommand();
        return new Parsed(settings, result.isUsageHelpRequested(), result.isVersionHelpRequested(),
                result.hasMatchedOption(PRINT_REGISTRY), migrate == null ? null : MigrateCommand.read(migrate));
    }

    String usage() {
        return new CommandLine(spec).getUsageMessage(CommandLine.Help.Ansi.OFF);
    }

    /** The usage of {@code migrate}, named as it is typed: {@code magi migrate}. */
    String migrateUsage() {
        return new CommandLine(spec).getSubcommands().get(MigrateCommand.NAME).getUsageMessage(CommandLine.Help.Ansi.OFF);
    }

    /** The version from the jar's manifest, or "development build" when run from classes. */
    static String version() {
        String version = CommandLineSettings.class.getPackage().getImplementationVersion();
        return version == null ? "development build" : version;
    }
}
