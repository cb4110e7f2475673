package dev.magi.core.launch.local;

import dev.magi.core.launch.StartErrors;
import dev.magi.spi.MagiException;
import dev.magi.spi.launch.LaunchListener;
import dev.magi.spi.launch.LaunchSpec;
import dev.magi.spi.launch.PortAssignment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What one local process is started with: its command line, the port and address it binds, and the
 * endpoint MAGI reaches it at. Everything that can be found wrong before a process exists is found
 * here, so that a start fails with a clear error instead of with a process that dies. The port rules
 * live here too because a port can also be lost after the plan, to another program that binds it
 * first.
 *
 * @param command  the arguments of the process, the binary first; never a string a shell would split
 * @param port     the port the server is told to bind
 * @param address  the address it binds, resolved
 * @param endpoint where MAGI reaches it
 */
record LocalPlan(List<String> command, int port, InetAddress address, URI endpoint) {
    private static final Logger LOG = LoggerFactory.getLogger(LocalPlan.class);

    LocalPlan {
        command = List.copyOf(command);
    }

    /**
     * The checks that come before a process, in this order: the binary exists and is executable, the
     * bind address is known, and the model's port is free. An automatic port another program holds is
     * moved to the next free one of the range; a port the user chose is the user's, so a taken one
     * fails the start with PortInUse. A move is told to {@code listener}.
     *
     * @throws MagiException SERVER_START_FAILED, PORT_IN_USE or PORT_RANGE_EXHAUSTED
     */
    static LocalPlan prepare(LaunchSpec spec, String host, LaunchListener listener) {
        String modelId = spec.modelId();
        checkBinary(modelId, Path.of(spec.binary()));
        InetAddress address = resolve(modelId, host);
        PortAssignment ports = spec.ports();
        int port = ports.port();
        if (!LocalNetwork.isFree(address, port)) {
            if (ports.pinned()) {
                throw StartErrors.portInUse(modelId, port, Map.of());
            }
            int taken = port;
            port = moveOff(ports, taken, address);
            LOG.info("Port {} is in use by another program; model '{}' moves to port {}", taken, modelId, port);
            // At DEBUG in MAGI's log, which said it at INFO just now; in the server's log among its lines.
            listener.note(System.Logger.Level.DEBUG, "port " + taken + " is in use by another program; moved to port "
                    + port);
        }
        return new LocalPlan(spec.command(host, Integer.toString(port)), port, address,
                LocalNetwork.endpoint(host, port));
    }

    /** The model moved to the next port of the range that no model holds and nothing listens on. */
    static int moveOff(PortAssignment ports, int taken, InetAddress address) {
        return ports.moveOff(p -> p != taken && LocalNetwork.isFree(address, p));
    }

    private static void checkBinary(String modelId, Path binary) {
        String problem = null;
        if (!Files.exists(binary)) {
            problem = "llama-server not found at " + binary;
        } else if (Files.isDirectory(binary) || !Files.isExecutable(binary)) {
            problem = "llama-server at " + binary + " is not an executable file";
        }
        if (problem != null) {
            throw StartErrors.startFailed(modelId, problem + " (set LLAMA_SERVER_PATH or --llama-server)", null,
                    List.of(), Map.of("path", binary.toString()));
        }
    }

    private static InetAddress resolve(String modelId, String host) {
        try {
            return InetAddress.getByName(host.trim());
        } catch (UnknownHostException e) {
            throw StartErrors.startFailed(modelId, "LLAMA_SERVER_HOST '" + host + "' is not a known address", null,
                    List.of(), Map.of("host", host));
        }
    }
}
