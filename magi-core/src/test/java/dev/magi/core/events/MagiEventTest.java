package dev.magi.core.events;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** The names and data of the events as the {@code /events} stream sends them. */
class MagiEventTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void registryChangedSendsTheCountAndTheScanTimeAsText() throws Exception {
        MagiEvent event = new RegistryChanged(3, Instant.parse("2024-05-01T10:00:00Z"));

        assertThat(event.type()).isEqualTo("registry");
        assertThat(JSON.writeValueAsString(event.data()))
                .isEqualTo("{\"models\":3,\"lastScan\":\"2024-05-01T10:00:00Z\"}");
    }

    @Test
    void registryChangedBeforeAFirstScanSendsANullScanTime() throws Exception {
        assertThat(JSON.writeValueAsString(new RegistryChanged(0, null).data()))
                .isEqualTo("{\"models\":0,\"lastScan\":null}");
    }

    @Test
    void profileChangedSendsTheProfileAndTheActiveOne() throws Exception {
        MagiEvent event = new ProfileChanged("coding", "");

        assertThat(event.type()).isEqualTo("profile");
        assertThat(JSON.writeValueAsString(event.data()))
                .isEqualTo("{\"profileName\":\"coding\",\"activeProfile\":\"\"}");
    }
}
