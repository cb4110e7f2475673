package dev.magi.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ranges of ports for the fake llama-servers of a test. They are chosen at random, so builds running
 * side by side rarely meet, and below the kernel's ephemeral range: a port the system hands to some
 * outgoing connection between the test's check and the fake's bind would fail the start.
 */
public final class FreePorts {
    private static final int LOWEST = 10_000;
    private static final int EPHEMERAL_LOW = ephemeralLow();

    private FreePorts() {
    }

    /** The first of {@code count} ports in a row that are free on the loopback address now. */
    public static int rangeStart(int count) {
        int highest = EPHEMERAL_LOW - count;
        for (int tries = 0; tries < 200; tries++) {
            int start = ThreadLocalRandom.current().nextInt(LOWEST, highest);
            boolean free = true;
            for (int port = start; port < start + count && free; port++) {
                free = isFree(port);
            }
            if (free) {
                return start;
            }
        }
        throw new AssertionError("No " + count + " free ports in a row between " + LOWEST + " and " + EPHEMERAL_LOW);
    }

    private static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Where Linux starts handing out ports for outgoing connections; 32768 elsewhere. */
    private static int ephemeralLow() {
        try {
            String range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range"), StandardCharsets.US_ASCII);
            int low = Integer.parseInt(range.trim().split("\\s+")[0]);
            return low > LOWEST + 2_000 ? low : 32_768;
        } catch (IOException | RuntimeException e) {
            return 32_768;
        }
    }
}
