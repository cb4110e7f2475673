package dev.magi.core.gateway;

/**
 * What the balancer knows of one running server of a candidate.
 *
 * @param modelId  the model it serves
 * @param ready    answers requests (otherwise it is still starting)
 * @param healthy  its last health probes answered; an unhealthy server gets no new request
 * @param inFlight requests it is serving now
 * @param queued   requests waiting for it
 * @param slots    requests it serves at once (llama-server's {@code total_slots}); at least 1
 */
public record ServerLoad(String modelId, boolean ready, boolean healthy, int inFlight, int queued, int slots) {
    public ServerLoad {
        slots = Math.max(1, slots);
    }

    /** Ready, healthy and serving fewer requests than it has slots. */
    public boolean hasFreeSlot() {
        return ready && healthy && inFlight < slots;
    }

    /** (in flight + queued) / slots: how busy it is, comparable across servers of different sizes. */
    public double load() {
        return (inFlight + queued) / (double) slots;
    }
}
