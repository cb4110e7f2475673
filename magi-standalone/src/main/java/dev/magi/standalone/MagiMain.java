package dev.magi.standalone;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.magi.core.config.MagiConfig;
import dev.magi.core.engine.MagiEngine;
import dev.magi.core.json.RegistryJson;
import dev.magi.spi.MagiException;
import dev.magi.spi.Settings;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintStream;

/**
 * {@code java -jar magi.jar}: reads flags, then the environment, then defaults, and runs MAGI.
 * Exit codes: 0 done, 1 failed while running, 2 bad command line or configuration.
 */
public final class MagiMain {
    public static final int EXIT_OK = 0;
    public static final int EXIT_FAILED = 1;
    public static final int EXIT_USAGE = 2;

    private MagiMain() {
    }

    public static void main(String[] args) {
        int code = run(args, MagiConfig.environment(), System.out, System.err);
        if (code != EXIT_OK) {
            System.exit(code);
        }
    }

    /** Runs MAGI with {@code environment} standing for the process environment; answers the exit code. */
    static int run(String[] args, Settings environment, PrintStream out, PrintStream err) {
        CommandLineSettings commandLine = new CommandLineSettings();
        CommandLineSettings.Parsed parsed;
        try {
            parsed = commandLine.parse(args);
        } catch (CommandLine.ParameterException e) {
            err.println("magi: " + e.getMessage() + " (see --help)");
            return EXIT_USAGE;
        }
        if (parsed.help()) {
            out.print(commandLine.usage());
            return EXIT_OK;
        }
        if (parsed.version()) {
            out.println("MAGI");
            return EXIT_OK;
        }
        MagiEngine.Builder builder = MagiEngine.builder().fallback(environment);
        parsed.settings().forEach(builder::set);
        MagiEngine engine;
        try {
            if (parsed.printRegistry()) {
                // One scan and out: watching would only keep the process alive.
                builder.set("MAGI_WATCH", "false");
            }
            engine = builder.build();
        } catch (MagiException e) {
            err.println("magi: " + e.getMessage());
            return e.code() == dev.magi.spi.ErrorCode.INVALID_CONFIGURATION ? EXIT_USAGE : EXIT_FAILED;
        }
        try (engine) {
            try (JsonGenerator gen = RegistryJson.newMapper().getFactory().createGenerator(out)) {
                gen.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
                gen.useDefaultPrettyPrinter();
                RegistryJson.writeRegistry(engine.registry().snapshot(), gen);
            }
            out.println();
            return EXIT_OK;
        } catch (IOException | MagiException e) {
            err.println("magi: " + e.getMessage());
            return EXIT_FAILED;
        }
    }
}
