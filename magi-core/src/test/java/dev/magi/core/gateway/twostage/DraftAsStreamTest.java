package dev.magi.core.gateway.twostage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("A draft sent to a client that asked for a stream")
class DraftAsStreamTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    @DisplayName("is one chunk event with the whole text, then [DONE]")
    void events() throws Exception {
        JsonNode answer = JSON.readTree("{\"id\":\"c1\",\"object\":\"chat.completion\",\"created\":5,\"model\":\"m\","
                + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"the \\\"draft\\\"\"},"
                + "\"finish_reason\":\"length\"}]}");
        String stream = new String(DraftAsStream.events(answer), StandardCharsets.UTF_8);
        String[] events = stream.split("\n\n");
        assertThat(events).hasSize(2);
        assertThat(events[1]).isEqualTo("data: [DONE]");
        JsonNode chunk = JSON.readTree(events[0].substring("data: ".length()));
        assertThat(chunk.get("object").asText()).isEqualTo("chat.completion.chunk");
        assertThat(chunk.get("id").asText()).isEqualTo("c1");
        assertThat(chunk.at("/choices/0/delta/content").asText()).isEqualTo("the \"draft\"");
        assertThat(chunk.at("/choices/0/finish_reason").asText()).isEqualTo("length");
    }
}
