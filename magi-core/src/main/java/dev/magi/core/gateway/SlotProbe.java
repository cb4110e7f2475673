package dev.magi.core.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * How many requests a ready llama-server serves at once: {@code total_slots} of its
 * {@code GET /props}, read once when it turns ready. A server that does not say is taken to serve one
 * at a time, which is never wrong, only slower.
 */
final class SlotProbe {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(TIMEOUT).build();

    int totalSlots(URI baseUri) {
        HttpRequest request = HttpRequest.newBuilder(baseUri.resolve("/props")).timeout(TIMEOUT).GET().build();
        try {
            HttpResponse<byte[]> response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() != 200) {
                return 1;
            }
            JsonNode slots = JSON.readTree(response.body()).path("total_slots");
            return slots.canConvertToInt() && slots.asInt() > 0 ? slots.asInt() : 1;
        } catch (IOException | RuntimeException e) {
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }
}
