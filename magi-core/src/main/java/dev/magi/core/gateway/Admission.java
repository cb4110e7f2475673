package dev.magi.core.gateway;

/**
 * One request as the gateway needs to know it to choose a model: what the client asked for, the
 * text {@code auto} scores, its session, and whether its endpoint may be served by a tier or
 * {@code auto} at all.
 *
 * @param model          the body's {@code model}, as sent; null when it had none
 * @param text           the last user message or the prompt, for {@code auto}; null or empty when none
 * @param session        {@code X-Session-Id}, else the body's {@code user}; null when neither
 * @param virtualAllowed false for endpoints whose answer belongs to one model's vocabulary
 *                       (embeddings, rerank, tokenize): a tier or {@code auto} is refused there
 */
public record Admission(String model, String text, String session, boolean virtualAllowed) {
}
