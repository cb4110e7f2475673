package dev.magi.core.supervision;

import dev.magi.core.registry.ModelRegistry;
import dev.magi.spi.DiscoveredModel;
import dev.magi.spi.ErrorCode;
import dev.magi.spi.MagiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one process of a model is started with: its command line, the port and address it binds, and
 * the model as it was when checked. Everything that can be found wrong before a process exists is
 * found here, so that a start fails with a clear error instead of with a process that dies; the
 * process's owner only spawns what a plan says. The port rules live here too because a port can also
 * be lost after the plan, to another program that binds it first.
 *
 * @param command the arguments of the process, the binary first; never a string a shell would split
 * @param port    the port the server is told to bind
 * @param address the address it binds, resolved
 * @param model   the model with that port
 */
record LaunchPlan(List<String> command, int port, InetAddress address, DiscoveredModel model) {
    /** Under the name of the server's owner: one model's supervision logs in one category. */
    private static final Logger LOG = LoggerFactory.getLogger(SupervisedServer.class);

    LaunchPlan {
        command = List.copyOf(command);
    }

    /**
     * The checks that come before a process, in this order: the model can run (no problems found
     * in its file), the binary exists and is executable, the bind address is known, and the model's
     * port is free. An automatic port another program holds is moved to the next free one of the
     * range; a port the user chose is the user's, so a taken one fails the start with PortInUse.
     *
     * @throws MagiException MODEL_NOT_FOUND, MODEL_NOT_RUNNABLE, SERVER_START_FAILED or PORT_IN_USE
     */
    static LaunchPlan prepare(String modelId, ModelRegistry registry, SupervisorOptions options) {
        DiscoveredModel model = requireRunnable(registry.require(modelId));
        checkBinary(modelId, options.llamaServerPath());
        InetAddress address = resolve(modelId, options.llamaHost());
        model = registry.ensurePort(modelId);
        int port = model.port();
        if (!Network.isFree(address, port)) {
            if (model.portPinned()) {
                throw portInUse(modelId, port, Map.of());
            }
            int taken = port;
            model = moveOff(registry, modelId, taken, address);
            port = model.port();
            LOG.info("Port {} is in use by another program; model '{}' moves to port {}", taken, modelId, port);
        }
        return new LaunchPlan(LlamaServerCommand.of(options, model, port), port, address, model);
    }

    /** The variables the process gets on top of MAGI's own environment: the model's {@code env}. */
    Map<String, String> environment() {
        return model.env();
    }

    /** The model moved to the next port of the range that no model holds and nothing listens on. */
    static DiscoveredModel moveOff(ModelRegistry registry, String modelId, int taken, InetAddress address) {
        return registry.moveToFreePort(modelId, p -> p != taken && Network.isFree(address, p));
    }

    /** The user's port of this model is held by another program. */
    static MagiException portInUse(String modelId, int port, Map<String, Object> extra) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("modelId", modelId);
        details.put("port", port);
        details.putAll(extra);
        return new MagiException(ErrorCode.PORT_IN_USE,
                "Port " + port + " of model '" + modelId + "' is in use by another program", details);
    }

    /** @throws MagiException {@link ErrorCode#MODEL_NOT_RUNNABLE} when a problem prevents running the model */
    static DiscoveredModel requireRunnable(DiscoveredModel model) {
        if (!model.isRunnable()) {
            throw new MagiException(ErrorCode.MODEL_NOT_RUNNABLE,
                    "Model '" + model.modelId() + "' cannot be started: " + String.join("; ", model.problemMessages()),
                    Map.of("modelId", model.modelId(), "problems", model.problemMessages()));
        }
        return model;
    }

    /** A start that failed, with what the process wrote last when there was one. */
    static MagiException startFailed(String modelId, String message, Integer exitCode, List<String> logTail,
                                     Map<String, Object> extra) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("modelId", modelId);
        details.putAll(extra);
        details.put("exitCode", exitCode);
        details.put("logTail", List.copyOf(logTail));
        return new MagiException(ErrorCode.SERVER_START_FAILED, message, details);
    }

    private static void checkBinary(String modelId, Path binary) {
        String problem = null;
        if (!Files.exists(binary)) {
            problem = "llama-server not found at " + binary;
        } else if (Files.isDirectory(binary) || !Files.isExecutable(binary)) {
            problem = "llama-server at " + binary + " is not an executable file";
        }
        if (problem != null) {
            throw startFailed(modelId, problem + " (set LLAMA_SERVER_PATH or --llama-server)", null, List.of(),
                    Map.of("path", binary.toString()));
        }
    }

    private static InetAddress resolve(String modelId, String host) {
        try {
            return InetAddress.getByName(host.trim());
        } catch (UnknownHostException e) {
            throw startFailed(modelId, "LLAMA_SERVER_HOST '" + host + "' is not a known address", null, List.of(),
                    Map.of("host", host));
        }
    }
}
