package dev.magi.benchmarks;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** {@code --name value} options of the hand-written harnesses; anything else is an error. */
final class Options {
    private final Map<String, String> values = new HashMap<>();

    Options(List<String> args, List<String> allowed) {
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            String name = arg.startsWith("--") ? arg.substring(2) : null;
            if (name == null || !allowed.contains(name) || i + 1 >= args.size()) {
                throw new IllegalArgumentException("unknown option or missing value: " + arg
                        + " (options: --" + String.join(", --", allowed) + ", each followed by its value)");
            }
            values.put(name, args.get(++i));
        }
    }

    int integer(String name, int otherwise) {
        String value = values.get(name);
        return value == null ? otherwise : Integer.parseInt(value);
    }

    /** A path option, or null when not given. */
    Path path(String name) {
        String value = values.get(name);
        return value == null ? null : Path.of(value);
    }
}
