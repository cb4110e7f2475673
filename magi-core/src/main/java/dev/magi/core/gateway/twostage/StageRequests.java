package dev.magi.core.gateway.twostage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Optional;

/**
 * The request each stage is sent, written from the client's, and the draft read from stage 1's
 * answer. The client's request is never changed: each stage gets a copy.
 */
public final class StageRequests {
    /**
     * What stage 2 is told with the draft. Fixed, so that answers are comparable over time; it asks for
     * the final text only, so the client never reads about a draft it did not ask for.
     */
    public static final String INSTRUCTION = "A draft answer to the message above follows. Check it, correct"
            + " what is wrong and complete what is missing. Answer with the final text only, without"
            + " mentioning the draft.";
    static final String DRAFT_HEADING = "Draft:";

    private StageRequests() {
    }

    /** Stage 1: the client's request, not streamed, with {@code max_tokens} at most {@code maxTokens}. */
    public static ObjectNode stage1(ObjectNode request, int maxTokens) {
        ObjectNode stage1 = request.deepCopy();
        stage1.put("stream", false);
        stage1.remove("stream_options");
        stage1.put("max_tokens", bounded(stage1.get("max_tokens"), maxTokens));
        if (stage1.has("max_completion_tokens")) {
            stage1.put("max_completion_tokens", bounded(stage1.get("max_completion_tokens"), maxTokens));
        }
        return stage1;
    }

    /**
     * Stage 2: the client's request whose last user message has the instruction and the draft appended:
     * to its text when its content is a string, as one more text part when it is a list of parts. A
     * request without a user message gets one.
     */
    public static ObjectNode stage2(ObjectNode request, String draft) {
        ObjectNode stage2 = request.deepCopy();
        String appended = INSTRUCTION + "\n\n" + DRAFT_HEADING + "\n" + draft;
        JsonNode messages = stage2.get("messages");
        ArrayNode list = messages instanceof ArrayNode array ? array : stage2.putArray("messages");
        for (int i = list.size() - 1; i >= 0; i--) {
            if (list.get(i) instanceof ObjectNode message && "user".equals(message.path("role").asText())) {
                append(message, appended);
                return stage2;
            }
        }
        list.addObject().put("role", "user").put("content", appended);
        return stage2;
    }

    /** The draft: the first choice's message content, when stage 1 answered one that is not blank. */
    public static Optional<String> draft(JsonNode answer) {
        JsonNode content = answer == null ? null : answer.path("choices").path(0).path("message").get("content");
        if (content == null || !content.isTextual() || content.asText().isBlank()) {
            return Optional.empty();
        }
        return Optional.of(content.asText().strip());
    }

    private static void append(ObjectNode message, String appended) {
        JsonNode content = message.get("content");
        if (content instanceof ArrayNode parts) {
            parts.addObject().put("type", "text").put("text", appended);
        } else if (content != null && content.isTextual() && !content.asText().isEmpty()) {
            message.put("content", content.asText() + "\n\n" + appended);
        } else {
            message.put("content", appended);
        }
    }

    private static int bounded(JsonNode asked, int limit) {
        if (asked != null && asked.isNumber() && asked.asLong() > 0 && asked.asLong() < limit) {
            return asked.asInt();
        }
        return limit;
    }
}
