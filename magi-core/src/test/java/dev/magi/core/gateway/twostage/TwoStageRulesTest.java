package dev.magi.core.gateway.twostage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.magi.spi.ModelProfile.TwoStage;
import dev.magi.spi.Tier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Whether an auto chat request runs in two stages")
class TwoStageRulesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TwoStage DEFAULTS = new TwoStage(true, Tier.BALANCED, Tier.POWERFUL, 500);
    private static final String CHAT = "\"model\":\"auto\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";

    private static JsonNode body(String extra) throws Exception {
        return JSON.readTree("{" + CHAT + (extra.isEmpty() ? "" : "," + extra) + "}");
    }

    @Nested
    @DisplayName("runs in one stage")
    class Skipped {
        @ParameterizedTest(name = "{0} -> skipped:{1}")
        @CsvSource(delimiter = '|', value = {
            "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\"}}]|tools",
            "\"functions\":[{\"name\":\"f\"}]|tools",
            "\"response_format\":{\"type\":\"json_object\"}|response_format",
            "\"n\":2|n",
            "\"n\":3.0|n",
            "\"logprobs\":true|logprobs",
            "\"logprobs\":5|logprobs",
        })
        @DisplayName("for a request whose answer has a shape a draft would not carry through")
        void shape(String extra, String reason) throws Exception {
            TwoStagePlan plan = TwoStageRules.plan(DEFAULTS, Tier.POWERFUL, body(extra));
            assertThat(plan.twoStages()).isFalse();
            assertThat(plan.skipReason()).isEqualTo(reason);
        }

        @ParameterizedTest(name = "scored {0}, stage 1 {1}")
        @CsvSource({"FAST,BALANCED", "BALANCED,BALANCED", "FAST,FAST", "BALANCED,POWERFUL", "POWERFUL,POWERFUL"})
        @DisplayName("for a question scored at or below the drafting tier")
        void lowScore(Tier scored, Tier stage1) throws Exception {
            TwoStagePlan plan = TwoStageRules.plan(new TwoStage(true, stage1, Tier.POWERFUL, 500), scored, body(""));
            assertThat(plan.skipReason()).isEqualTo("low_score");
        }

        @Test
        @DisplayName("the shape is named before the score: a tool call on an easy question says tools")
        void shapeFirst() throws Exception {
            assertThat(TwoStageRules.plan(DEFAULTS, Tier.FAST, body("\"tools\":[{\"type\":\"function\"}]"))
                    .skipReason()).isEqualTo("tools");
        }
    }

    @Nested
    @DisplayName("runs in two stages")
    class TwoStages {
        @ParameterizedTest(name = "{0}")
        @CsvSource(delimiter = '|', value = {
            "\"tools\":[]", "\"tools\":null", "\"response_format\":null", "\"n\":1", "\"logprobs\":false",
            "\"logprobs\":null", "\"stream\":true"})
        @DisplayName("when those fields are absent, empty, null, false or one")
        void harmlessFields(String extra) throws Exception {
            TwoStagePlan plan = TwoStageRules.plan(DEFAULTS, Tier.POWERFUL, body(extra));
            assertThat(plan.twoStages()).as(plan.toString()).isTrue();
        }

        @Test
        @DisplayName("drafting on stage1Tier, answering on stage2Tier, with stage1MaxTokens")
        void tiers() throws Exception {
            TwoStagePlan plan = TwoStageRules.plan(new TwoStage(true, Tier.FAST, Tier.BALANCED, 77), Tier.BALANCED,
                    body(""));
            assertThat(plan).isEqualTo(new TwoStagePlan(null, Tier.FAST, Tier.BALANCED, 77));
        }

        @Test
        @DisplayName("answering on the scored tier when it is above stage2Tier")
        void scoredAboveStage2() throws Exception {
            TwoStagePlan plan = TwoStageRules.plan(new TwoStage(true, Tier.FAST, Tier.BALANCED, 500), Tier.POWERFUL,
                    body(""));
            assertThat(plan.stage1Tier()).isEqualTo(Tier.FAST);
            assertThat(plan.stage2Tier()).isEqualTo(Tier.POWERFUL);
        }
    }
}
