package dev.magi.benchmarks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Timings of one operation over the repetitions of a run. Medians, not means: on a shared machine a
 * repetition that lost its core to a neighbour is an outlier to ignore, not a cost to average in.
 */
final class Samples {
    private final String name;
    private final List<Long> nanos = new ArrayList<>();

    Samples(String name) {
        this.name = name;
    }

    String name() {
        return name;
    }

    void add(long elapsedNanos) {
        nanos.add(elapsedNanos);
    }

    int size() {
        return nanos.size();
    }

    long nanos(int repetition) {
        return nanos.get(repetition);
    }

    double medianMillis() {
        return median(nanos.stream().mapToDouble(n -> n / 1e6).toArray());
    }

    double minMillis() {
        return nanos.stream().mapToLong(Long::longValue).min().orElse(0) / 1e6;
    }

    double maxMillis() {
        return nanos.stream().mapToLong(Long::longValue).max().orElse(0) / 1e6;
    }

    /**
     * The median over repetitions of {@code this / baseline} within the same repetition: both ran
     * seconds apart, under the same neighbours, so the pairwise ratio cancels more noise than the
     * ratio of the two medians does.
     */
    double medianRatioTo(Samples baseline) {
        int n = Math.min(size(), baseline.size());
        double[] ratios = new double[n];
        for (int i = 0; i < n; i++) {
            ratios[i] = (double) nanos(i) / baseline.nanos(i);
        }
        return median(ratios);
    }

    /** Every repetition, in the order run: for small samples, where the spread is the story. */
    String each() {
        StringBuilder text = new StringBuilder();
        for (long n : nanos) {
            text.append(text.length() == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.0f", n / 1e6));
        }
        return text + " ms";
    }

    String row() {
        return String.format(Locale.ROOT, "%-44s median %9.1f ms   min %9.1f ms   max %9.1f ms   (n=%d)",
                name, medianMillis(), minMillis(), maxMillis(), size());
    }

    static double median(double[] values) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
