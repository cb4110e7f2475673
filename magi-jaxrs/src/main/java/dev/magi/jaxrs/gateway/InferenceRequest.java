package dev.magi.jaxrs.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.magi.core.gateway.GatewayError;
import dev.magi.core.gateway.GatewayException;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What the gateway reads of a request body: the body itself, passed on unchanged, and from its JSON
 * the {@code model}, the text {@code auto} scores and the {@code user}. Bodies are read up to
 * {@link #MAX_BODY_BYTES}: prompts with long documents are far larger than the API's requests.
 *
 * @param body  the bytes as received
 * @param model the {@code model}, null when absent
 * @param text  the last user message (chat) or the prompt (completions); empty when neither
 * @param user  the {@code user}, null when absent
 */
record InferenceRequest(byte[] body, String model, String text, String user) {
    static final long MAX_BODY_BYTES = 32L * 1024 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @param body the whole body, read within {@link #MAX_BODY_BYTES}
     * @throws GatewayException {@code invalid_json}, {@code model_required} (a {@code model} that is not
     *                          a string)
     */
    static InferenceRequest parse(byte[] body) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new GatewayException(GatewayError.INVALID_JSON, "The request body is not valid JSON: "
                    + e.getOriginalMessage(), null, null);
        } catch (IOException e) {
            throw new GatewayException(GatewayError.INVALID_JSON, "The request body is not valid JSON: "
                    + e.getMessage(), null, null);
        }
        if (root == null || !root.isObject()) {
            throw new GatewayException(GatewayError.INVALID_JSON, "The request body must be a JSON object", null,
                    null);
        }
        JsonNode model = root.get("model");
        if (model != null && !model.isNull() && !model.isTextual()) {
            throw new GatewayException(GatewayError.MODEL_REQUIRED, "'model' must be a string: a model id, an"
                    + " alias, a tier (fast, balanced, powerful) or auto", "model", null);
        }
        JsonNode user = root.get("user");
        return new InferenceRequest(body, model == null || model.isNull() ? null : model.asText(), text(root),
                user != null && user.isTextual() ? user.asText() : null);
    }

    /** The last user message's text (its text parts joined), else the prompt. */
    private static String text(JsonNode root) {
        JsonNode messages = root.get("messages");
        if (messages != null && messages.isArray()) {
            for (int i = messages.size() - 1; i >= 0; i--) {
                JsonNode message = messages.get(i);
                if ("user".equals(message.path("role").asText())) {
                    return content(message.get("content"));
                }
            }
            return "";
        }
        return content(root.get("prompt"));
    }

    private static String content(JsonNode content) {
        if (content == null || content.isNull()) {
            return "";
        }
        if (content.isTextual()) {
            return content.asText();
        }
        List<String> parts = new ArrayList<>();
        if (content.isArray()) {
            for (JsonNode part : content) {
                if (part.isTextual()) {
                    parts.add(part.asText());
                } else if (part.path("text").isTextual()) {
                    parts.add(part.path("text").asText());
                }
            }
        }
        return String.join(" ", parts);
    }
}
