package dev.magi.standalone;

import dev.magi.core.config.ConfigKey;
import dev.magi.core.config.MagiConfig;
import dev.magi.core.plugin.PluginLoader;
import dev.magi.core.store.migration.StoreMigration;
import dev.magi.spi.ErrorCode;
import dev.magi.spi.MagiException;
import dev.magi.spi.Settings;
import dev.magi.spi.StoreProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

import java.io.PrintStream;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code java -jar magi.jar migrate --from json --to h2}: copies the registry, the profiles and the
 * active profile from one store to another with {@link StoreMigration}, and prints one summary line.
 *
 * <p>Both stores read the usual settings ({@code --registry-path}, {@code --profiles-path},
 * {@code --h2-url}, each also from its variable); the {@code --to-...} flags set them for the target
 * alone, to copy a store to another place or between two stores that would otherwise share files.
 * Exit codes as for the server: 0 copied and verified, 1 refused or failed (nothing is reported as
 * copied that was not read back), 2 bad command line or configuration.
 */
final class MigrateCommand {
    static final String NAME = "migrate";

    /** The settings a store reads; each applies to both stores unless its {@code --to-} form is given. */
    private static final List<ConfigKey> STORE_KEYS = List.of(ConfigKey.REGISTRY_PATH, ConfigKey.PROFILES_PATH,
            ConfigKey.H2_URL, ConfigKey.PLUGINS_DIR);
    private static final List<ConfigKey> TARGET_KEYS = List.of(ConfigKey.REGISTRY_PATH, ConfigKey.PROFILES_PATH,
            ConfigKey.H2_URL);
    private static final String FROM = "--from";
    private static final String TO = "--to";
    private static final String FORCE = "--force";

    private MigrateCommand() {
    }

    /** The command line of {@code migrate}, a subcommand of {@link CommandLineSettings}. */
    static CommandSpec spec() {
        CommandSpec spec = CommandSpec.create().name(NAME);
        spec.usageMessage()
                .description("Copies the registry, the profiles and the active profile from one store to another,"
                        + " then reads the target back to verify it. Refuses a target that holds other data"
                        + " unless --force is given.")
                .sortOptions(false);
        spec.addOption(OptionSpec.builder("-h", "--help").usageHelp(true).description("show this help and exit").build());
        spec.addOption(OptionSpec.builder(FROM).paramLabel("<store>").type(String.class).required(true)
                .description("store to copy from: json, yaml, h2 or a plugin's name").build());
        spec.addOption(OptionSpec.builder(TO).paramLabel("<store>").type(String.class).required(true)
                .description("store to copy to").build());
        spec.addOption(OptionSpec.builder(FORCE).arity("0").type(boolean.class)
                .description("replace what the target holds; it becomes an exact copy of the source").build());
        for (ConfigKey key : STORE_KEYS) {
            String defaultText = key.defaultValue() == null ? "none" : key.defaultValue();
            spec.addOption(OptionSpec.builder(key.flag()).paramLabel("<" + key.flag().substring(2) + ">")
                    .type(String.class)
                    .description(key.description() + " [env " + key.variable() + ", default " + defaultText + "]")
                    .build());
        }
        for (ConfigKey key : TARGET_KEYS) {
            spec.addOption(OptionSpec.builder(targetFlag(key)).paramLabel("<" + key.flag().substring(2) + ">")
                    .type(String.class).description(key.flag() + " of the target store only").build());
        }
        return spec;
    }

    private static String targetFlag(ConfigKey key) {
        return "--to-" + key.flag().substring(2);
    }

    /**
     * What {@code migrate} was asked to do.
     *
     * @param source settings given as flags, by variable name, for both stores
     * @param target settings given as {@code --to-} flags, by variable name, for the target alone
     */
    record Options(String from, String to, boolean force, Map<String, String> source, Map<String, String> target,
                   boolean help) {
        Options {
            source = Map.copyOf(source);
            target = Map.copyOf(target);
        }
    }

    static Options read(ParseResult result) {
        Map<String, String> source = new HashMap<>();
        for (ConfigKey key : STORE_KEYS) {
            if (result.hasMatchedOption(key.flag())) {
                source.put(key.variable(), result.matchedOptionValue(key.flag(), ""));
            }
        }
        Map<String, String> target = new HashMap<>();
        for (ConfigKey key : TARGET_KEYS) {
            if (result.hasMatchedOption(targetFlag(key))) {
                target.put(key.variable(), result.matchedOptionValue(targetFlag(key), ""));
            }
        }
        return new Options(result.matchedOptionValue(FROM, null), result.matchedOptionValue(TO, null),
                result.hasMatchedOption(FORCE), source, target, result.isUsageHelpRequested());
    }

    /** Runs the migration; answers the exit code. */
    static int run(Options options, Settings environment, PrintStream out, PrintStream err) {
        try {
            Settings given = Settings.of(options.source()).orElse(environment);
            // Through MagiConfig, so that paths are resolved exactly as the server resolves them.
            MagiConfig source = MagiConfig.from(given);
            MagiConfig target = MagiConfig.from(Settings.of(options.target()).orElse(given));
            String from = options.from().trim().toLowerCase(Locale.ROOT);
            String to = options.to().trim().toLowerCase(Locale.ROOT);
            if (from.equals(to) && options.target().isEmpty()) {
                err.println("magi migrate: --from and --to both name the " + from + " store in the same place;"
                        + " give --to-registry-path, --to-profiles-path or --to-h2-url to copy it elsewhere");
                return MagiMain.EXIT_USAGE;
            }
            PluginLoader plugins = PluginLoader.create(MigrateCommand.class.getClassLoader(), source.pluginsDir());
            StoreProvider fromProvider = plugins.choose(StoreProvider.class, StoreProvider::name, from, FROM);
            StoreProvider toProvider = plugins.choose(StoreProvider.class, StoreProvider::name, to, TO);
            StoreMigration.Result result = StoreMigration.migrate(
                    new StoreMigration.Side(fromProvider, source.source()),
                    new StoreMigration.Side(toProvider, target.source()), options.force());
            out.println(result.summary());
            return MagiMain.EXIT_OK;
        } catch (MagiException e) {
            if (e.code() == ErrorCode.INVALID_CONFIGURATION) {
                err.println("magi migrate: " + e.getMessage());
                return MagiMain.EXIT_USAGE;
            }
            String hint = e.details().containsKey("holds") ? " (add --force to replace it)" : "";
            err.println("magi migrate: " + e.getMessage() + hint);
            return MagiMain.EXIT_FAILED;
        } catch (RuntimeException e) {
            err.println("magi migrate: failed: " + e);
            return MagiMain.EXIT_FAILED;
        }
    }
}
