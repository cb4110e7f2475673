package dev.magi.core.gateway;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Prompt and completion tokens of an answer, read from its last bytes: an OpenAI {@code usage}
 * object ({@code prompt_tokens}, {@code completion_tokens}) or llama-server's {@code timings}
 * ({@code prompt_n}, {@code predicted_n}). Both come at the end of an answer, streamed or not, so
 * the gateway keeps only a tail of what it passes on and never buffers the answer itself.
 *
 * @param prompt     null when the answer did not say
 * @param completion null when the answer did not say
 */
public record TokenUsage(Long prompt, Long completion) {
    public static final TokenUsage UNKNOWN = new TokenUsage(null, null);
    private static final JsonFactory JSON = new JsonFactory();

    /** Reads the last {@code usage}, else the last {@code timings}, in {@code tail}; UNKNOWN when neither parses. */
    public static TokenUsage fromTail(byte[] tail, int length) {
        String text = new String(tail, 0, length, StandardCharsets.UTF_8);
        TokenUsage usage = objectAfter(text, "\"usage\"", "prompt_tokens", "completion_tokens");
        if (usage.prompt() != null || usage.completion() != null) {
            return usage;
        }
        return objectAfter(text, "\"timings\"", "prompt_n", "predicted_n");
    }

    private static TokenUsage objectAfter(String text, String key, String promptField, String completionField) {
        int at = text.lastIndexOf(key);
        while (at >= 0) {
            TokenUsage found = parse(text.substring(at + key.length()), promptField, completionField);
            if (found.prompt() != null || found.completion() != null) {
                return found;
            }
            // A null usage (streamed chunks before the last one say "usage":null): look further back.
            at = text.lastIndexOf(key, at - 1);
        }
        return UNKNOWN;
    }

    private static TokenUsage parse(String afterKey, String promptField, String completionField) {
        String rest = afterKey.stripLeading();
        if (!rest.startsWith(":")) {
            return UNKNOWN;
        }
        Long prompt = null;
        Long completion = null;
        try (JsonParser parser = JSON.createParser(rest.substring(1))) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return UNKNOWN;
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                if (value == JsonToken.VALUE_NUMBER_INT && name.equals(promptField)) {
                    prompt = parser.getLongValue();
                } else if (value == JsonToken.VALUE_NUMBER_INT && name.equals(completionField)) {
                    completion = parser.getLongValue();
                } else {
                    parser.skipChildren();
                }
            }
        } catch (IOException e) {
            // Cut off or not JSON: what was read so far stands.
        }
        return new TokenUsage(prompt, completion);
    }
}
