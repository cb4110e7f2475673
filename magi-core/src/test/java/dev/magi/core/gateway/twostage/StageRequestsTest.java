package dev.magi.core.gateway.twostage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("The requests of the two stages")
class StageRequestsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BLOCK = StageRequests.INSTRUCTION + "\n\n" + StageRequests.DRAFT_HEADING + "\n";

    private static ObjectNode json(String text) throws Exception {
        return (ObjectNode) JSON.readTree(text);
    }

    @Nested
    @DisplayName("stage 1")
    class Stage1 {
        @Test
        @DisplayName("is not streamed and gets max_tokens at most the limit; the client's request is unchanged")
        void bounded() throws Exception {
            ObjectNode request = json("{\"model\":\"auto\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
                    + "\"max_tokens\":2000,\"max_completion_tokens\":3000,\"temperature\":0.2,\"messages\":[]}");
            String before = request.toString();
            ObjectNode stage1 = StageRequests.stage1(request, 500);
            assertThat(stage1.get("stream").asBoolean()).isFalse();
            assertThat(stage1.has("stream_options")).isFalse();
            assertThat(stage1.get("max_tokens").asInt()).isEqualTo(500);
            assertThat(stage1.get("max_completion_tokens").asInt()).isEqualTo(500);
            assertThat(stage1.get("temperature").asDouble()).isEqualTo(0.2);
            assertThat(request.toString()).isEqualTo(before);
        }

        @Test
        @DisplayName("keeps a smaller max_tokens, and sets the limit when none was asked")
        void smallerKept() throws Exception {
            assertThat(StageRequests.stage1(json("{\"max_tokens\":40}"), 500).get("max_tokens").asInt()).isEqualTo(40);
            assertThat(StageRequests.stage1(json("{}"), 500).get("max_tokens").asInt()).isEqualTo(500);
            assertThat(StageRequests.stage1(json("{\"max_tokens\":-1}"), 500).get("max_tokens").asInt())
                    .isEqualTo(500);
        }
    }

    @Nested
    @DisplayName("stage 2")
    class Stage2 {
        @Test
        @DisplayName("appends the instruction and the draft to the last user message's text")
        void stringContent() throws Exception {
            ObjectNode request = json("{\"stream\":true,\"messages\":[{\"role\":\"system\",\"content\":\"be brief\"},"
                    + "{\"role\":\"user\",\"content\":\"first\"},{\"role\":\"assistant\",\"content\":\"ok\"},"
                    + "{\"role\":\"user\",\"content\":\"Explain X\"}]}");
            String before = request.toString();
            ObjectNode stage2 = StageRequests.stage2(request, "the draft");
            JsonNode messages = stage2.get("messages");
            assertThat(messages).hasSize(4);
            assertThat(messages.get(3).get("content").asText()).isEqualTo("Explain X\n\n" + BLOCK + "the draft");
            assertThat(messages.get(1).get("content").asText()).isEqualTo("first");
            assertThat(stage2.get("stream").asBoolean()).isTrue();
            assertThat(request.toString()).isEqualTo(before);
        }

        @Test
        @DisplayName("appends them as one more text part when the content is a list of parts")
        void partsContent() throws Exception {
            ObjectNode stage2 = StageRequests.stage2(json("{\"messages\":[{\"role\":\"user\",\"content\":["
                    + "{\"type\":\"text\",\"text\":\"What is in it?\"},{\"type\":\"image_url\",\"image_url\":"
                    + "{\"url\":\"data:x\"}}]}]}"), "a cat");
            JsonNode parts = stage2.at("/messages/0/content");
            assertThat(parts).hasSize(3);
            assertThat(parts.get(0).get("text").asText()).isEqualTo("What is in it?");
            assertThat(parts.get(2).get("type").asText()).isEqualTo("text");
            assertThat(parts.get(2).get("text").asText()).isEqualTo(BLOCK + "a cat");
        }

        @Test
        @DisplayName("adds a user message when there is none, and fills an empty content")
        void noUserMessage() throws Exception {
            ObjectNode stage2 = StageRequests.stage2(json("{\"messages\":[{\"role\":\"system\",\"content\":\"s\"}]}"),
                    "d");
            assertThat(stage2.at("/messages/1/role").asText()).isEqualTo("user");
            assertThat(stage2.at("/messages/1/content").asText()).isEqualTo(BLOCK + "d");
            ObjectNode empty = StageRequests.stage2(json("{\"messages\":[{\"role\":\"user\",\"content\":null}]}"), "d");
            assertThat(empty.at("/messages/0/content").asText()).isEqualTo(BLOCK + "d");
        }
    }

    @Test
    @DisplayName("the draft is the first choice's message content; none when missing or blank")
    void draft() throws Exception {
        assertThat(StageRequests.draft(json("{\"choices\":[{\"message\":{\"content\":\" a draft \\n\"}}]}")))
                .contains("a draft");
        assertThat(StageRequests.draft(json("{\"choices\":[{\"message\":{\"content\":\"  \"}}]}"))).isEmpty();
        assertThat(StageRequests.draft(json("{\"choices\":[]}"))).isEmpty();
        assertThat(StageRequests.draft(json("{\"error\":{\"message\":\"x\"}}"))).isEmpty();
        assertThat(StageRequests.draft(null)).isEmpty();
    }
}
