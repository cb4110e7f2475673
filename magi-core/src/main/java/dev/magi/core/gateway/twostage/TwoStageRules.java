package dev.magi.core.gateway.twostage;

import com.fasterxml.jackson.databind.JsonNode;
import dev.magi.spi.ModelProfile.TwoStage;
import dev.magi.spi.Tier;

import java.util.Optional;

/**
 * Whether an {@code auto} chat request, with two stages on in the active profile, runs in two stages.
 * A request whose answer must keep a shape the draft would not carry through (tool calls, a response
 * format, several choices, log probabilities) runs in one, and so does a question easy enough for the
 * drafting tier itself: a second stage there would cost time for nothing.
 */
public final class TwoStageRules {
    private TwoStageRules() {
    }

    /**
     * @param settings the active profile's {@code twoStage}; its {@code enabled} is the caller's to check
     * @param scored   the tier the question's score chose
     * @param request  the request body
     */
    public static TwoStagePlan plan(TwoStage settings, Tier scored, JsonNode request) {
        Optional<String> shape = shapeReason(request);
        if (shape.isPresent()) {
            return TwoStagePlan.skip(shape.get());
        }
        if (scored.ordinal() <= settings.stage1Tier().ordinal()) {
            return TwoStagePlan.skip("low_score");
        }
        Tier stage2 = scored.ordinal() > settings.stage2Tier().ordinal() ? scored : settings.stage2Tier();
        return new TwoStagePlan(null, settings.stage1Tier(), stage2, settings.stage1MaxTokens());
    }

    /** Why the request's shape needs one stage, if it does. */
    private static Optional<String> shapeReason(JsonNode request) {
        // The legacy "functions" asks for function calls as "tools" does.
        if (present(request.get("tools")) || present(request.get("functions"))) {
            return Optional.of("tools");
        }
        if (present(request.get("response_format"))) {
            return Optional.of("response_format");
        }
        JsonNode n = request.get("n");
        if (n != null && n.isNumber() && n.asDouble() > 1) {
            return Optional.of("n");
        }
        JsonNode logprobs = request.get("logprobs");
        if (logprobs != null && !logprobs.isNull() && !(logprobs.isBoolean() && !logprobs.asBoolean())) {
            return Optional.of("logprobs");
        }
        return Optional.empty();
    }

    /** Present and meaningful: not null, not an empty list or object. */
    private static boolean present(JsonNode node) {
        return node != null && !node.isNull() && !(node.isContainerNode() && node.isEmpty());
    }
}
