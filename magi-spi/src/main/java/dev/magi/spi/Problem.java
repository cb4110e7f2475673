package dev.magi.spi;

import java.util.Objects;

/**
 * Something discovery noticed about a model's files, for the user to read ({@link #message()}) and
 * for MAGI to act on ({@link #kind()}): rules such as {@link DiscoveredModel#isRunnable()} look at the
 * kind, never at the wording.
 *
 * <p>The registry document (the API's and the stores' alike) keeps only the message, so
 * {@link #parse(String)} gives a message its kind back by the wording the factories here give each
 * kind. The wording and its reading live side by side in this class so that they cannot drift, and a
 * registry saved by any MAGI version reads back to the problems it held.
 *
 * @param kind    what sort of problem it is
 * @param message the sentence shown to the user
 */
public record Problem(Kind kind, String message) {

    private static final String MISSING_PART = "missing part";
    private static final String UNREADABLE_HEADER = "GGUF header unreadable (";
    private static final String UNREADABLE_PART_HEADER = "header of ";
    private static final String UNREADABLE_PART_HEADER_AFTER_NAME = " unreadable: ";

    /** What sort of problem a {@link Problem} is. */
    public enum Kind {
        /** A part of a split model is not there: llama-server cannot load it. */
        MISSING_PART(true),
        /** A GGUF header could not be read; the model's facts came from its file name. */
        UNREADABLE_HEADER(false),
        /** Any other note, such as one a store or an older MAGI wrote. */
        OTHER(false);

        private final boolean preventsStart;

        Kind(boolean preventsStart) {
            this.preventsStart = preventsStart;
        }

        /** Whether a model with a problem of this kind cannot be started. */
        public boolean preventsStart() {
            return preventsStart;
        }
    }

    public Problem {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(message, "message");
    }

    /** Part {@code part} of a split model of {@code count} parts is not there. */
    public static Problem missingPart(int part, int count) {
        return new Problem(Kind.MISSING_PART, MISSING_PART + " " + part + " of " + count);
    }

    /** The first file's header could not be read, so the facts come from the file name. */
    public static Problem unreadableHeader(String error) {
        return new Problem(Kind.UNREADABLE_HEADER,
                UNREADABLE_HEADER + error + "); facts taken from the file name");
    }

    /** The header of a later part of a split model could not be read. */
    public static Problem unreadablePartHeader(String partName, String error) {
        return new Problem(Kind.UNREADABLE_HEADER,
                UNREADABLE_PART_HEADER + partName + UNREADABLE_PART_HEADER_AFTER_NAME + error);
    }

    /**
     * A problem as the registry document keeps it: its message, whose wording tells the kind. A store
     * that keeps problems as text reads them back through this, so their kinds survive a restart.
     */
    public static Problem parse(String message) {
        Objects.requireNonNull(message, "message");
        if (message.startsWith(MISSING_PART)) {
            return new Problem(Kind.MISSING_PART, message);
        }
        if (message.startsWith(UNREADABLE_HEADER) || (message.startsWith(UNREADABLE_PART_HEADER)
                && message.contains(UNREADABLE_PART_HEADER_AFTER_NAME))) {
            return new Problem(Kind.UNREADABLE_HEADER, message);
        }
        return new Problem(Kind.OTHER, message);
    }
}
