package dev.magi.spi;

/**
 * Scores how hard a question is, so that the gateway's {@code auto} model can send easy questions to
 * the fast tier and hard ones to the powerful tier. The score is compared with the active profile's
 * {@code tierConfig} limits ({@code maxScore}): with the defaults, below 3 is fast, below 7 balanced,
 * the rest powerful. Implementations are found with {@link java.util.ServiceLoader} (list the class in
 * {@code META-INF/services/dev.magi.spi.ComplexityScorer}) and chosen by {@link #name()} through
 * {@code MAGI_COMPLEXITY_SCORER}; the built-in one is {@code keywords}.
 *
 * <p>Implementations must be stateless and thread-safe, need a public no-argument constructor, and
 * must be quick: the gateway scores every {@code auto} request before it forwards it.
 */
public interface ComplexityScorer {

    /** The name users select this scorer by; lower case, unique among plugins. */
    String name();

    /**
     * The complexity of {@code text}: the last user message of a chat, or a completion's prompt.
     *
     * @param text the text to score, possibly empty, never null
     * @return a finite score of at least 0; higher is harder
     */
    double score(String text);
}
