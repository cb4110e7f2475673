package dev.magi.core.gateway.twostage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;

/**
 * Stage 1's answer as a server-sent event stream, for a client that asked for a stream and is answered
 * with the draft because stage 2 failed: such a client reads events, not one JSON object.
 */
public final class DraftAsStream {
    private static final ObjectMapper JSON = new ObjectMapper();

    private DraftAsStream() {
    }

    /** One {@code chat.completion.chunk} event holding the whole first choice, then {@code data: [DONE]}. */
    public static byte[] events(JsonNode answer) {
        JsonNode choice = answer.path("choices").path(0);
        ObjectNode chunk = JSON.createObjectNode();
        chunk.set("id", answer.get("id"));
        chunk.put("object", "chat.completion.chunk");
        chunk.set("created", answer.get("created"));
        chunk.set("model", answer.get("model"));
        ObjectNode event = chunk.putArray("choices").addObject();
        event.put("index", 0);
        ObjectNode delta = event.putObject("delta");
        delta.put("role", "assistant");
        delta.set("content", choice.path("message").get("content"));
        event.set("finish_reason", choice.get("finish_reason"));
        if (answer.has("usage")) {
            chunk.set("usage", answer.get("usage"));
        }
        return ("data: " + chunk + "\n\ndata: [DONE]\n\n").getBytes(StandardCharsets.UTF_8);
    }
}
