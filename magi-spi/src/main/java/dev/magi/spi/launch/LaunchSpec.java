package dev.magi.spi.launch;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What to run for one model. The launcher adds where the server binds ({@code --host}, {@code --port}):
 * that is its choice, and the endpoint it answers says what it chose.
 *
 * @param modelId     the model, also its {@code --alias}
 * @param binary      the llama-server binary ({@code LLAMA_SERVER_PATH}), as the place it runs sees it
 * @param arguments   llama-server's arguments after the binary, {@code --model FILE} first, without
 *                    the {@code --host} and {@code --port} that {@link #command} puts after them
 * @param environment variables added to the server's environment (the model's {@code env})
 * @param resources   what the server needs, for launchers that reserve it
 * @param files       the model's files (the model, its projector), for launchers that check them
 * @param ports       the model's port in MAGI's registry, for launchers that bind on a port of
 *                    {@code PORT_RANGE}; others leave it alone
 */
public record LaunchSpec(String modelId, String binary, List<String> arguments, Map<String, String> environment,
                         Resources resources, List<Path> files, PortAssignment ports) {
    private static final String API_KEY = "--api-key";
    private static final String MASK = "***";

    public LaunchSpec {
        Objects.requireNonNull(modelId, "modelId");
        Objects.requireNonNull(binary, "binary");
        arguments = List.copyOf(arguments);
        if (arguments.size() < 2 || !arguments.get(0).equals("--model")) {
            throw new IllegalArgumentException("the arguments begin with --model FILE, got " + arguments);
        }
        environment = Map.copyOf(environment);
        Objects.requireNonNull(resources, "resources");
        files = List.copyOf(files);
        Objects.requireNonNull(ports, "ports");
    }

    /**
     * What the server needs.
     *
     * @param gpus        GPUs, at least 0
     * @param cpus        CPU cores, at least 1
     * @param memoryBytes memory, when MAGI can estimate it, else null
     */
    public record Resources(int gpus, int cpus, Long memoryBytes) {
        public static final Resources MINIMAL = new Resources(0, 1, null);

        public Resources {
            if (gpus < 0 || cpus < 1 || (memoryBytes != null && memoryBytes < 1)) {
                throw new IllegalArgumentException("resources need gpus >= 0, cpus >= 1 and memory > 0 when known, got "
                        + gpus + ", " + cpus + ", " + memoryBytes);
            }
        }
    }

    /**
     * The whole command line with the place the launcher chose: the binary, {@code --model FILE},
     * {@code --host HOST --port PORT}, then the other arguments. A list of words for the operating
     * system, never a string for a shell.
     *
     * @param host the address the server binds
     * @param port its port, as a word (a job script may pass a variable the shell fills in)
     */
    public List<String> command(String host, String port) {
        List<String> command = new ArrayList<>(arguments.size() + 5);
        command.add(binary);
        command.addAll(arguments.subList(0, 2));
        command.add("--host");
        command.add(host);
        command.add("--port");
        command.add(port);
        command.addAll(arguments.subList(2, arguments.size()));
        return List.copyOf(command);
    }

    /** The environment sorted by name, for a log or a job script that must read the same every time. */
    public Map<String, String> sortedEnvironment() {
        return new TreeMap<>(environment);
    }

    /**
     * A command line as one line for a log, with the value of {@code --api-key} masked: the log is
     * shown to whoever may read a server's logs, who need not know the key.
     */
    public static String shown(List<String> command) {
        List<String> words = new ArrayList<>(command.size());
        boolean secretNext = false;
        for (String word : command) {
            if (secretNext) {
                words.add(MASK);
                secretNext = false;
            } else if (word.startsWith(API_KEY + "=")) {
                words.add(API_KEY + "=" + MASK);
            } else {
                words.add(word);
                secretNext = word.equals(API_KEY);
            }
        }
        return String.join(" ", words);
    }
}
