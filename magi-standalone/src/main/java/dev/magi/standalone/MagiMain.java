package dev.magi.standalone;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.magi.core.config.ConfigKey;
import dev.magi.core.config.MagiConfig;
import dev.magi.core.engine.MagiEngine;
import dev.magi.core.json.RegistryJson;
import dev.magi.spi.ErrorCode;
import dev.magi.spi.MagiException;
import dev.magi.spi.Settings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintStream;

/**
 * {@code java -jar magi.jar}: reads flags, then the environment, then defaults, and serves the API
 * until it is stopped ({@code --print-registry} scans, prints the registry and exits instead;
 * {@code migrate} copies one store into another, see {@link MigrateCommand}).
 *
 * <p>Exit codes: 0 done, or stopped cleanly by SIGTERM or Ctrl-C; 1 failed while starting or
 * running (such as a port already in use); 2 bad command line or configuration.
 */
public final class MagiMain {
    public static final int EXIT_OK = 0;
    public static final int EXIT_FAILED = 1;
    public static final int EXIT_USAGE = 2;

    private static final Logger LOG = LoggerFactory.getLogger(MagiMain.class);

    private MagiMain() {
    }

    public static void main(String[] args) {
        int code = run(args, MagiConfig.environment(), System.out, System.err);
        if (code != EXIT_OK) {
            System.exit(code);
        }
    }

    /**
     * Runs MAGI with {@code environment} standing for the process environment; answers the exit code.
     * When it serves HTTP, it returns only once the server has stopped.
     */
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
            out.println("MAGI " + CommandLineSettings.version());
            return EXIT_OK;
        }
        if (parsed.migrate() != null) {
            if (!parsed.settings().isEmpty() || parsed.printRegistry()) {
                // Flags before the command would be silently ignored: a migration from the default paths.
                err.println("magi: give migrate's flags after 'migrate' (see migrate --help)");
                return EXIT_USAGE;
            }
            if (parsed.migrate().help()) {
                out.print(commandLine.migrateUsage());
                return EXIT_OK;
            }
            return MigrateCommand.run(parsed.migrate(), environment, out, err);
        }
        MagiEngine.Builder builder = MagiEngine.builder().fallback(environment);
        parsed.settings().forEach(builder::set);
        if (parsed.printRegistry()) {
            // One scan and out: watching would only keep the process alive.
            builder.set(ConfigKey.WATCH, "false");
        }
        MagiEngine engine;
        try {
            engine = builder.build();
        } catch (MagiException e) {
            err.println("magi: " + e.getMessage());
            return e.code() == ErrorCode.INVALID_CONFIGURATION ? EXIT_USAGE : EXIT_FAILED;
        }
        return parsed.printRegistry() ? printRegistry(engine, out, err) : serve(engine, err);
    }

    private static int printRegistry(MagiEngine engine, PrintStream out, PrintStream err) {
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

    /** Serves until SIGTERM or Ctrl-C, whose shutdown hook stops the server and closes the engine. */
    private static int serve(MagiEngine engine, PrintStream err) {
        MagiServer server = MagiServer.newServer(engine);
        Thread hook = new Thread(() -> {
            LOG.info("Stopping MAGI");
            int code = EXIT_OK;
            try {
                server.close();
                LOG.info("MAGI stopped");
            } catch (RuntimeException e) {
                LOG.error("MAGI did not stop cleanly", e);
                code = EXIT_FAILED;
            }
            // The JVM would otherwise exit with 143 (130 after Ctrl-C): a stop that went as asked is a
            // success, for service managers as for scripts. This hook is the last thing that must run.
            System.out.flush();
            System.err.flush();
            Runtime.getRuntime().halt(code);
        }, "magi-shutdown");
        // Registered before the start so that a signal during it still closes the engine.
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            server.start();
        } catch (Exception e) {
            Runtime.getRuntime().removeShutdownHook(hook);
            server.close();
            err.println("magi: cannot listen on " + engine.config().host() + ":" + engine.config().port() + ": "
                    + rootMessage(e));
            return EXIT_FAILED;
        }
        LOG.info("MAGI listening on {}", server.uri());
        try {
            server.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return EXIT_OK;
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.toString() : root.getMessage();
    }
}
