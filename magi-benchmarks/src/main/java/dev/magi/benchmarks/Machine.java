package dev.magi.benchmarks;

import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * The conditions of a run, printed with its figures: on a shared machine the load average says
 * whether a slow figure is the code's or the neighbours'.
 */
final class Machine {
    private Machine() {
    }

    /** CPUs, JVM, garbage collector's heap limit and the current load. */
    static String describe() {
        Runtime runtime = Runtime.getRuntime();
        return String.format(Locale.ROOT, "%d CPUs, %s %s (%s), max heap %d MiB, %s",
                runtime.availableProcessors(), System.getProperty("java.vm.name"),
                System.getProperty("java.runtime.version"), System.getProperty("os.name") + " "
                        + System.getProperty("os.version"), runtime.maxMemory() >> 20, load());
    }

    /** The one-minute load average, or a note when the system does not give one. */
    static String load() {
        double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        return load < 0 ? "load average unknown" : String.format(Locale.ROOT, "load average (1 min) %.2f", load);
    }
}
