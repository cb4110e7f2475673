package dev.magi.benchmarks.supervision;

import com.sun.management.OperatingSystemMXBean;
import dev.magi.core.launch.slurm.SlurmLauncherProvider;
import dev.magi.spi.Settings;
import dev.magi.spi.launch.Launch;
import dev.magi.spi.launch.LaunchListener;
import dev.magi.spi.launch.LaunchSpec;
import dev.magi.spi.launch.LaunchState;
import dev.magi.spi.launch.Launcher;
import dev.magi.spi.launch.LauncherContext;
import dev.magi.spi.launch.LeftRunning;
import dev.magi.spi.launch.PortAssignment;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.IntPredicate;

/**
 * What MAGI's watching of Slurm jobs costs with many jobs running: N jobs (a {@code sleep} in place
 * of llama-server, sharing the cores with {@code --oversubscribe}) started through the slurm
 * launcher, then three windows of the same length: the launcher watching them (one {@code squeue}
 * for all every 2 s, the output files every 250 ms), no launcher at all (the baseline: the same jobs,
 * nobody watching), and a new launcher that adopted them all. Each window gives the CPU time this JVM
 * and slurmctld used per second of wall time. Besides, one listing ({@code leftRunning()}: squeue and
 * its parsing) is timed K times.
 */
public final class SlurmPollingBenchmark {
    private static final Duration GRACE = Duration.ofSeconds(10);
    private static final Duration PATIENCE = Duration.ofMinutes(5);

    private SlurmPollingBenchmark() {
    }

    public static void main(List<String> args) throws Exception {
        Map<String, String> options = SupervisionBenchmark.options(args.toArray(String[]::new));
        List<String> known = List.of("jobs", "window-s", "listings", "dir");
        for (String name : options.keySet()) {
            if (!known.contains(name)) {
                throw new IllegalArgumentException("unknown option --" + name + " (options: --"
                        + String.join(", --", known) + ", each followed by its value)");
            }
        }
        int jobs = SupervisionBenchmark.integer(options, "jobs", 100);
        int window = SupervisionBenchmark.integer(options, "window-s", 30);
        int listings = SupervisionBenchmark.integer(options, "listings", 50);
        String parent = options.get("dir");
        Path dir = parent == null ? Files.createTempDirectory("magi-bench-slurm")
                : Files.createTempDirectory(Path.of(parent), "magi-bench-slurm");
        run(jobs, Duration.ofSeconds(window), listings, dir, System.out);
    }

    static void run(int count, Duration window, int listings, Path dir, PrintStream out) throws Exception {
        Optional<Long> controller = slurmctldPid();
        out.printf(Locale.ROOT, "Machine: %d CPUs, %s %s, load %.2f; slurmctld %s%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name"),
                System.getProperty("java.runtime.version"),
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                controller.map(pid -> "pid " + pid).orElse("not found on this machine (its CPU is not measured)"));
        Path sleeper = dir.resolve("sleeper");
        Files.writeString(sleeper, "#!/bin/sh\n# Stands for llama-server: prints a line, then only runs.\n"
                + "echo sleeping\nexec sleep 86400\n", StandardCharsets.UTF_8);
        sleeper.toFile().setExecutable(true);
        String install = "bench-" + UUID.randomUUID();
        Settings settings = Settings.of(Map.of("MAGI_SLURM_LOG_DIR", dir.resolve("logs").toString(),
                "MAGI_SLURM_ARGS", "--oversubscribe"));
        LauncherContext context = new LauncherContext(settings, dir.resolve("data"), install, GRACE);
        List<Launch> launches = new ArrayList<>();
        Launcher launcher = new SlurmLauncherProvider().open(context);
        Launcher adopter = null;
        try {
            long submitStart = System.nanoTime();
            for (int i = 0; i < count; i++) {
                launches.add(launcher.start(spec("job-" + i, sleeper), new Quiet()));
            }
            long submitted = System.nanoTime();
            awaitRunning(launches);
            long running = System.nanoTime();
            out.printf(Locale.ROOT, "%d jobs: submitted in %.2f s (%.1f ms each), all running with an endpoint %.2f s"
                    + " after the first submission%n", count, seconds(submitted - submitStart),
                    millis(submitted - submitStart) / count, seconds(running - submitStart));

            Window watched = measure(window, controller);
            launcher.close();
            Window alone = measure(window, controller);
            long adoptStart = System.nanoTime();
            adopter = new SlurmLauncherProvider().open(context);
            List<LeftRunning> left = adopter.leftRunning();
            List<Launch> adopted = new ArrayList<>();
            for (LeftRunning job : left) {
                adopted.add(job.adopt(new Quiet()));
            }
            long adoptEnd = System.nanoTime();
            out.printf(Locale.ROOT, "a new launcher found %d jobs left running and adopted them in %.1f ms%n",
                    left.size(), millis(adoptEnd - adoptStart));
            Window adoptedWindow = measure(window, controller);
            launches.clear();
            launches.addAll(adopted);

            out.printf(Locale.ROOT, "%nCPU time per second of wall time, %d-s windows, %d jobs running:%n",
                    window.toSeconds(), count);
            out.printf(Locale.ROOT, "| window | this JVM (ms/s) | slurmctld (ms/s) |%n|---|---|---|%n");
            print(out, "launcher watching", watched);
            print(out, "nobody watching (baseline)", alone);
            print(out, "new launcher, jobs adopted", adoptedWindow);
            out.printf(Locale.ROOT, "watching costs this JVM %.1f ms/s and slurmctld %.1f ms/s more than the baseline%n",
                    (watched.jvm + adoptedWindow.jvm) / 2 - alone.jvm,
                    (watched.controller + adoptedWindow.controller) / 2 - alone.controller);

            double[] times = new double[listings];
            for (int i = 0; i < listings; i++) {
                long start = System.nanoTime();
                int found = adopter.leftRunning().size();
                times[i] = millis(System.nanoTime() - start);
                if (found != count) {
                    out.printf(Locale.ROOT, "(listing %d found %d jobs)%n", i, found);
                }
            }
            Arrays.sort(times);
            out.printf(Locale.ROOT, "one listing of %d jobs (squeue and parsing), %d times: median %.1f ms, p90 %.1f ms,"
                    + " max %.1f ms%n", count, listings, times[listings / 2], times[(int) (listings * 0.9)],
                    times[listings - 1]);
        } finally {
            stopAll(launches);
            launcher.close();
            if (adopter != null) {
                adopter.close();
            }
        }
    }

    /** CPU milliseconds per wall second over one window, of this JVM and of slurmctld (NaN when unknown). */
    private record Window(double jvm, double controller) {
    }

    private static Window measure(Duration window, Optional<Long> controller) throws InterruptedException {
        long jvmBefore = processCpuNanos();
        long controllerBefore = controller.map(SlurmPollingBenchmark::cpuTicks).orElse(-1L);
        long start = System.nanoTime();
        Thread.sleep(window.toMillis());
        double wall = (System.nanoTime() - start) / 1e9;
        double jvm = (processCpuNanos() - jvmBefore) / 1e6 / wall;
        double ctld = controllerBefore < 0 ? Double.NaN
                : (cpuTicks(controller.get()) - controllerBefore) * 1000.0 / ticksPerSecond() / wall;
        return new Window(jvm, ctld);
    }

    private static void print(PrintStream out, String name, Window window) {
        out.printf(Locale.ROOT, "| %s | %.1f | %.1f |%n", name, window.jvm, window.controller);
    }

    private static LaunchSpec spec(String modelId, Path binary) {
        return new LaunchSpec(modelId, binary.toString(), List.of("--model", "/dev/null"), Map.of(),
                new LaunchSpec.Resources(0, 1, 16L * 1024 * 1024), List.of(), new NoPorts());
    }

    private static void awaitRunning(List<Launch> launches) throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (launches.stream().anyMatch(l -> !(l.state() instanceof LaunchState.Running))) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("not every job runs after " + PATIENCE.toMinutes() + " min");
            }
            if (launches.stream().anyMatch(l -> l.state() instanceof LaunchState.Ended)) {
                throw new IllegalStateException("a job ended before it ran");
            }
            Thread.sleep(50);
        }
    }

    private static void stopAll(List<Launch> launches) throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        for (Launch launch : launches) {
            pool.submit(() -> launch.stop(GRACE));
        }
        pool.shutdown();
        pool.awaitTermination(5, TimeUnit.MINUTES);
    }

    private static long processCpuNanos() {
        return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** The controller's pid when it runs on this machine: the process whose /proc/PID/comm is slurmctld. */
    private static Optional<Long> slurmctldPid() {
        return ProcessHandle.allProcesses().map(ProcessHandle::pid).filter(pid -> {
            try {
                return Files.readString(Path.of("/proc", Long.toString(pid), "comm")).strip().equals("slurmctld");
            } catch (IOException e) {
                return false;
            }
        }).findFirst();
    }

    /** utime + stime of a process, in clock ticks, from /proc. */
    private static long cpuTicks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        } catch (IOException e) {
            return -1;
        }
    }

    private static long ticksPerSecond() {
        // The kernel's USER_HZ is 100 on every Linux architecture the JDK runs on.
        return 100;
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }

    private static double millis(long nanos) {
        return nanos / 1e6;
    }

    /** The benchmark does not read the sleepers' output. */
    private static final class Quiet implements LaunchListener {
        @Override
        public void output(Stream stream, List<String> lines) {
        }

        @Override
        public void stateChanged(LaunchState state) {
        }
    }

    /** Jobs choose their own ports. */
    private static final class NoPorts implements PortAssignment {
        @Override
        public int port() {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean pinned() {
            return false;
        }

        @Override
        public int moveOff(IntPredicate usable) {
            throw new UnsupportedOperationException();
        }
    }
}
