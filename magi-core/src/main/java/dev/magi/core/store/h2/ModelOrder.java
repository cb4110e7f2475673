package dev.magi.core.store.h2;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Sort keys that keep the registry's order of models in the database while rewriting as few rows as
 * possible. Keys are spread out, so a model added between two others takes a key between theirs;
 * models that keep their relative order keep their keys, and only models that moved, or new ones,
 * get new keys. Removing a model, adding one or changing one therefore rewrites at most that row.
 * When two neighbours leave no room between their keys, every model is given a new key, once.
 */
final class ModelOrder {

    /** The distance between neighbouring keys when keys are handed out afresh. */
    static final long GAP = 1L << 20;

    private ModelOrder() {
    }

    /**
     * Keys for {@code ids}, in order, strictly increasing, reusing {@code stored} keys wherever the
     * order allows.
     */
    static long[] keys(List<String> ids, Map<String, Long> stored) {
        int n = ids.size();
        Long[] old = new Long[n];
        for (int i = 0; i < n; i++) {
            old[i] = stored.get(ids.get(i));
        }
        boolean[] keep = longestIncreasing(old);
        long[] keys = new long[n];
        int i = 0;
        while (i < n) {
            if (keep[i]) {
                keys[i] = old[i];
                i++;
                continue;
            }
            int runStart = i;
            while (i < n && !keep[i]) {
                i++;
            }
            int run = i - runStart;
            Long before = runStart > 0 ? keys[runStart - 1] : null;
            Long after = i < n ? old[i] : null;
            long low;
            long high;
            if (before == null && after == null) {
                low = 0;
                high = GAP * (run + 1);
            } else if (before == null) {
                high = after;
                low = high - GAP * (run + 1);
            } else if (after == null) {
                low = before;
                high = low + GAP * (run + 1);
            } else {
                low = before;
                high = after;
            }
            if (high - low <= run) {
                return fresh(n);
            }
            for (int k = 0; k < run; k++) {
                // Spread evenly, so that later insertions find room on both sides.
                keys[runStart + k] = low + (long) ((double) (high - low) * (k + 1) / (run + 1));
            }
            for (int k = 1; k < run; k++) {
                if (keys[runStart + k] <= keys[runStart + k - 1]) {
                    return fresh(n);
                }
            }
        }
        return keys;
    }

    private static long[] fresh(int n) {
        long[] keys = new long[n];
        for (int i = 0; i < n; i++) {
            keys[i] = GAP * (i + 1);
        }
        return keys;
    }

    /** Marks a longest strictly increasing subsequence of the non-null values (patience sorting). */
    private static boolean[] longestIncreasing(Long[] values) {
        int n = values.length;
        int[] tailIndex = new int[n];
        int[] previous = new int[n];
        Arrays.fill(previous, -1);
        int length = 0;
        for (int i = 0; i < n; i++) {
            if (values[i] == null) {
                continue;
            }
            long v = values[i];
            int lo = 0;
            int hi = length;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (values[tailIndex[mid]] < v) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            previous[i] = lo > 0 ? tailIndex[lo - 1] : -1;
            tailIndex[lo] = i;
            if (lo == length) {
                length++;
            }
        }
        boolean[] keep = new boolean[n];
        List<Integer> chain = new ArrayList<>();
        for (int i = length > 0 ? tailIndex[length - 1] : -1; i >= 0; i = previous[i]) {
            chain.add(i);
        }
        for (int index : chain) {
            keep[index] = true;
        }
        return keep;
    }
}
