package dev.magi.testkit;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The real Slurm cluster the Slurm tests submit jobs to: Slurm's client commands on {@code PATH} and a
 * controller that answers ({@code scripts/slurm-setup.sh} makes a one-machine cluster). Where there is
 * none the tests are skipped with {@link #absentMessage}, since a user's machine need not run Slurm;
 * with {@code MAGI_TEST_SLURM=required} (as CI sets it) they fail instead, so a cluster that did not
 * come up cannot pass for a green build.
 */
public final class RealSlurm {
    /** The variable that makes a missing cluster a failure. */
    public static final String REQUIRED_VARIABLE = "MAGI_TEST_SLURM";

    /** The script that sets up the test cluster. */
    public static final String SETUP_SCRIPT = "scripts/slurm-setup.sh";

    private static volatile Optional<String> problem;

    private RealSlurm() {
    }

    /** Whether the cluster is there and answers; checked once per test JVM. */
    public static boolean available() {
        return findProblem().isEmpty();
    }

    /** Whether the build demands the cluster ({@code MAGI_TEST_SLURM=required}). */
    public static boolean required() {
        return "required".equalsIgnoreCase(System.getenv(REQUIRED_VARIABLE));
    }

    /**
     * For a test's {@code assumeTrue}: true when the cluster is there; false (skip) when it is not and
     * nobody demands it.
     *
     * @throws AssertionError when the cluster is missing but {@link #required()}
     */
    public static boolean availableOrSkip() {
        Optional<String> found = findProblem();
        if (found.isPresent() && required()) {
            throw new AssertionError(REQUIRED_VARIABLE + "=required but " + found.get());
        }
        return found.isEmpty();
    }

    /** Why a Slurm test is skipped. */
    public static String absentMessage() {
        return "No Slurm cluster to test against (" + findProblem().orElse("?") + "): run " + SETUP_SCRIPT
                + " as root to run the Slurm tests";
    }

    private static Optional<String> findProblem() {
        Optional<String> known = problem;
        if (known == null) {
            known = check();
            problem = known;
        }
        return known;
    }

    private static Optional<String> check() {
        for (String program : List.of("sbatch", "squeue", "scancel", "sinfo")) {
            if (!onPath(program)) {
                return Optional.of(program + " is not on PATH");
            }
        }
        try {
            Process sinfo = new ProcessBuilder("sinfo", "--noheader", "--format=%T").redirectErrorStream(true).start();
            if (!sinfo.waitFor(20, TimeUnit.SECONDS)) {
                sinfo.destroyForcibly();
                return Optional.of("sinfo did not answer within 20 s");
            }
            String out = new String(sinfo.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (sinfo.exitValue() != 0) {
                return Optional.of("sinfo failed: " + out);
            }
            if (!out.contains("idle") && !out.contains("mix") && !out.contains("alloc")) {
                return Optional.of("no node is up (sinfo says: " + out + ")");
            }
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of("sinfo cannot run: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted while asking sinfo");
        }
    }

    private static boolean onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, program);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return true;
            }
        }
        return false;
    }
}
