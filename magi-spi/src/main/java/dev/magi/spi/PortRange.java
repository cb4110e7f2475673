package dev.magi.spi;

import java.util.Map;

/**
 * The inclusive range of ports handed to llama-server processes.
 *
 * @param start first port, at least 1024
 * @param end   last port, at most 65535 and not below {@code start}
 */
public record PortRange(int start, int end) {
    public static final PortRange DEFAULT = new PortRange(8080, 8099);

    public PortRange {
        if (start < 1024 || end > 65535 || start > end) {
            throw new MagiException(ErrorCode.INVALID_PORT_RANGE,
                    "Invalid port range " + start + "-" + end
                            + ": start and end must lie in 1024-65535 with start <= end",
                    Map.of("start", start, "end", end));
        }
    }

    public boolean contains(int port) {
        return port >= start && port <= end;
    }

    public int size() {
        return end - start + 1;
    }

    /** Parses {@code 8080-8099}. */
    public static PortRange parse(String text) {
        String[] bounds = text == null ? new String[0] : text.trim().split("-");
        if (bounds.length != 2) {
            throw new MagiException(ErrorCode.INVALID_PORT_RANGE,
                    "Invalid port range '" + text + "': expected START-END such as 8080-8099");
        }
        try {
            return new PortRange(Integer.parseInt(bounds[0].trim()), Integer.parseInt(bounds[1].trim()));
        } catch (NumberFormatException e) {
            throw new MagiException(ErrorCode.INVALID_PORT_RANGE,
                    "Invalid port range '" + text + "': expected START-END such as 8080-8099");
        }
    }

    @Override
    public String toString() {
        return start + "-" + end;
    }
}
