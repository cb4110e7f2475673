package dev.magi.core.naming;

/**
 * The {@code -NNNNN-of-NNNNN} suffix that llama.cpp's {@code gguf-split} gives each part of a
 * model cut into several files.
 *
 * @param part  1-based number of this part, as written in the file name
 * @param count number of parts in the set, at least {@code part}
 */
public record SplitSuffix(int part, int count) {
    public SplitSuffix {
        if (part < 1 || part > count) {
            throw new IllegalArgumentException(
                    "Split part " + part + " of " + count + ": parts are numbered 1 to count");
        }
    }

    /** Whether this is the part a model is loaded from: the first one. */
    public boolean isFirst() {
        return part == 1;
    }
}
