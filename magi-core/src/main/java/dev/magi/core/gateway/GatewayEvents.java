package dev.magi.core.gateway;

import dev.magi.core.events.EventHub;
import dev.magi.core.events.GatewayChanged;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Tells the {@code /events} stream what the gateway does. Starts and unloads go out at once; queue
 * lengths are coalesced: the first change of a model's queue schedules one event a moment later with
 * the length then, so a flood of requests makes a few events a second, never one per request.
 */
final class GatewayEvents implements GatewayObserver {
    /** At most one queue event per model in this time. */
    static final Duration QUEUE_EVENT_PERIOD = Duration.ofMillis(250);

    private final EventHub events;
    private final ScheduledExecutorService timers;
    /** The latest queue length of each model whose event is scheduled and not yet sent. */
    private final Map<String, Integer> pending = new ConcurrentHashMap<>();
    private final Map<String, Integer> sent = new ConcurrentHashMap<>();

    GatewayEvents(EventHub events, ScheduledExecutorService timers) {
        this.events = events;
        this.timers = timers;
    }

    @Override
    public void startedOnDemand(String modelId) {
        events.publish(new GatewayChanged("started", modelId, "on_demand", null));
    }

    @Override
    public void unloaded(String modelId, String reason) {
        events.publish(new GatewayChanged("unloaded", modelId, reason, null));
    }

    /** Notes a queue's new length; called under the gateway's lock, so it only notes and schedules. */
    void queueChanged(String modelId, int queued) {
        if (pending.put(modelId, queued) == null) {
            try {
                timers.schedule(() -> flush(modelId), QUEUE_EVENT_PERIOD.toMillis(), TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                // Shutting down: nobody is left to tell.
                pending.remove(modelId);
            }
        }
    }

    private void flush(String modelId) {
        Integer queued = pending.remove(modelId);
        if (queued != null && !queued.equals(sent.put(modelId, queued))) {
            events.publish(new GatewayChanged("queue", modelId, null, queued));
        }
    }
}
