package dev.magi.core.launch.slurm;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The batch script of a model's job. On the node it picks a free port, publishes
 * {@code http://HOST:PORT} (as the first line of the job's output and in the job's comment, after the
 * owner's mark), and {@code exec}s llama-server with the model's command line, {@code --host 0.0.0.0}
 * and that port. Through {@code exec} the server is the job's own process, so {@code scancel} and a
 * time limit reach it directly, and its exit is the job's end.
 *
 * <p>The port is chosen on the node because only the node knows what is free there; a port taken
 * between the check and the bind makes llama-server exit, which MAGI treats as a crash and retries
 * with a new job. Every value from MAGI is single-quoted ({@link ShellQuote}).
 */
final class JobScript {
    /** Ports tried, chosen at random: above the usual service ports, below Linux's ephemeral range. */
    static final int FIRST_PORT = 20000;
    static final int PORT_COUNT = 12000;

    private static final Pattern VARIABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private JobScript() {
    }

    /**
     * @param comment     the job's comment before it has an endpoint
     * @param command     llama-server and the model's arguments, without {@code --host} and {@code --port}
     * @param environment variables the server gets on top of the job's environment
     * @throws IllegalArgumentException for an empty command or a variable name the shell cannot take
     */
    static String render(JobComment comment, List<String> command, Map<String, String> environment) {
        if (command.isEmpty()) {
            throw new IllegalArgumentException("the command is empty");
        }
        StringBuilder script = new StringBuilder();
        script.append("#!/bin/bash\n");
        script.append("# The llama-server of model ").append(comment.modelId())
                .append(", written by MAGI (install ").append(comment.installId()).append(").\n");
        script.append("set -u\n");
        script.append("# A free port on this node: one nothing answers on.\n");
        script.append("port=\n");
        script.append("for attempt in $(seq 1 100); do\n");
        script.append("    candidate=$(( ").append(FIRST_PORT).append(" + (RANDOM * 32768 + RANDOM) % ")
                .append(PORT_COUNT).append(" ))\n");
        script.append("    if ! (exec 3<>\"/dev/tcp/127.0.0.1/$candidate\") 2>/dev/null; then\n");
        script.append("        port=$candidate\n");
        script.append("        break\n");
        script.append("    fi\n");
        script.append("done\n");
        script.append("if [ -z \"$port\" ]; then\n");
        script.append("    echo \"MAGI: no free port found on $(hostname)\" >&2\n");
        script.append("    exit 1\n");
        script.append("fi\n");
        script.append("host=$(hostname -f 2>/dev/null || hostname)\n");
        script.append("endpoint=\"http://$host:$port\"\n");
        script.append("echo \"").append(EndpointLine.PREFIX).append("$endpoint\"\n");
        script.append("scontrol update JobId=\"$SLURM_JOB_ID\" Comment=").append(ShellQuote.quote(comment.owner()))
                .append("\" endpoint=$endpoint\" || echo \"MAGI: the endpoint could not be put in the job's comment\" >&2\n");
        for (Map.Entry<String, String> variable : environment.entrySet()) {
            if (!VARIABLE.matcher(variable.getKey()).matches()) {
                throw new IllegalArgumentException("'" + variable.getKey() + "' is not a name an environment variable can have");
            }
            script.append("export ").append(variable.getKey()).append('=').append(ShellQuote.quote(variable.getValue()))
                    .append('\n');
        }
        script.append("exec");
        for (String word : command) {
            script.append(' ').append(ShellQuote.quote(word));
        }
        script.append(" --host 0.0.0.0 --port \"$port\"\n");
        return script.toString();
    }
}
