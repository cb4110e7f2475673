package dev.magi.core.gateway;

import dev.magi.core.events.EventHub;
import dev.magi.core.events.GatewayChanged;
import dev.magi.core.events.MagiEvent;
import dev.magi.testkit.Eventually;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("The gateway's events on the /events stream")
class GatewayEventsTest {
    private final EventHub hub = new EventHub();
    private final List<MagiEvent> published = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stop() {
        timers.shutdownNow();
        hub.close();
    }

    @Test
    @DisplayName("a flood of queue changes makes one event with the last length, not one per request")
    void coalesced() {
        hub.subscribe(published::add);
        GatewayEvents events = new GatewayEvents(hub, timers);
        for (int i = 1; i <= 1_000; i++) {
            events.queueChanged("m", i);
        }
        GatewayChanged last = new GatewayChanged("queue", "m", null, 1_000);
        Eventually.await("the queue event with the last length", () -> published.contains(last));
        // One event, unless the machine stalled in the loop for longer than a period: still a handful.
        assertThat(published).hasSizeLessThan(5).last().isEqualTo(last);
        int before = published.size();
        // An unchanged length tells nothing new; another model's queue has its own events.
        events.queueChanged("m", 1_000);
        events.queueChanged("other", 2);
        Eventually.await("the other model's event", () -> published.size() > before);
        assertThat(published.subList(before, published.size()))
                .containsExactly(new GatewayChanged("queue", "other", null, 2));
    }

    @Test
    @DisplayName("starts and unloads go out at once, with their reason")
    void startsAndUnloads() {
        hub.subscribe(published::add);
        GatewayEvents events = new GatewayEvents(hub, timers);
        events.startedOnDemand("m");
        events.unloaded("m", "idle");
        Eventually.await("both events", () -> published.size() == 2);
        assertThat(published).containsExactly(new GatewayChanged("started", "m", "on_demand", null),
                new GatewayChanged("unloaded", "m", "idle", null));
    }
}
