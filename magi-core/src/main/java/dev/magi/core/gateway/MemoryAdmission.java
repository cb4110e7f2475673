package dev.magi.core.gateway;

import dev.magi.core.memory.EvictionPlan;
import dev.magi.core.memory.EvictionPlanner;
import dev.magi.core.memory.LoadedServer;
import dev.magi.core.memory.MemorySize;

import java.util.ArrayList;
import java.util.List;

/**
 * Whether the gateway may start a model's server now, within {@code --memory-budget} and
 * {@code --max-loaded-models}: at once, after stopping idle servers it started itself (least recently
 * used first), later (a busy server holds the room: the request stays queued and asks again once a
 * server is idle or stopped), or never ({@code insufficient_memory}). Plain rules: the gateway hands in
 * what runs, and does the stopping and the waiting.
 */
public final class MemoryAdmission {
    private final long budgetBytes;
    private final int maxLoadedModels;
    private final EvictionPlanner planner;

    /**
     * @param budgetBytes     what the running models' estimates may add up to, above 0
     * @param maxLoadedModels servers running at once, 0 for no limit
     */
    public MemoryAdmission(long budgetBytes, int maxLoadedModels) {
        this.planner = new EvictionPlanner(budgetBytes, maxLoadedModels);
        this.budgetBytes = budgetBytes;
        this.maxLoadedModels = maxLoadedModels;
    }

    public long budgetBytes() {
        return budgetBytes;
    }

    /** 0 when there is no limit. */
    public int maxLoadedModels() {
        return maxLoadedModels;
    }

    /**
     * The plan for starting {@code modelId} beside the {@code loaded} servers: {@link EvictionPlan.Start}
     * (with the servers to stop first) or {@link EvictionPlan.Wait}.
     *
     * @param estimatedBytes the model's estimate; null when unknown, counted as 0 (only the limit of
     *                       servers then applies)
     * @throws GatewayException {@code insufficient_memory} when it cannot fit even with every server the
     *                          gateway started stopped, naming its size, the budget and what pinned
     *                          servers hold
     */
    public EvictionPlan plan(String modelId, Long estimatedBytes, List<LoadedServer> loaded) {
        long needed = estimatedBytes == null ? 0 : estimatedBytes;
        List<LoadedServer> others = new ArrayList<>();
        for (LoadedServer server : loaded) {
            if (!server.modelId().equals(modelId)) {
                others.add(server);
            }
        }
        EvictionPlan plan = planner.plan(needed, others);
        if (plan instanceof EvictionPlan.Refuse) {
            throw refusal(modelId, estimatedBytes, others);
        }
        return plan;
    }

    /** Whether {@code modelId} may start now without waiting for a busy server (idle ones may be stopped). */
    public boolean startsNow(String modelId, Long estimatedBytes, List<LoadedServer> loaded) {
        try {
            return plan(modelId, estimatedBytes, loaded) instanceof EvictionPlan.Start;
        } catch (GatewayException e) {
            // Refused: choosing it would only refuse the request; let the balancer queue elsewhere.
            return false;
        }
    }

    /** What the running servers' estimates add up to. */
    public static long reservedBytes(List<LoadedServer> loaded) {
        long sum = 0;
        for (LoadedServer server : loaded) {
            sum += server.memoryBytes();
        }
        return sum;
    }

    private GatewayException refusal(String modelId, Long estimatedBytes, List<LoadedServer> others) {
        long pinnedBytes = 0;
        int pinnedCount = 0;
        for (LoadedServer server : others) {
            if (server.pinned()) {
                pinnedBytes += server.memoryBytes();
                pinnedCount++;
            }
        }
        String size = estimatedBytes == null ? "an unknown amount of memory"
                : MemorySize.format(estimatedBytes) + " (" + estimatedBytes + " bytes, estimated)";
        String pinned = pinnedCount + (pinnedCount == 1 ? " server" : " servers")
                + " started through the API or a profile, never stopped to make room, "
                + (pinnedCount == 1 ? "holds " : "hold ") + MemorySize.format(pinnedBytes);
        String limit = maxLoadedModels == 0 ? "" : "; --max-loaded-models is " + maxLoadedModels;
        return new GatewayException(GatewayError.INSUFFICIENT_MEMORY, "The model '" + modelId + "' cannot start: it"
                + " needs " + size + ", the memory budget (--memory-budget) is " + MemorySize.format(budgetBytes)
                + " (" + budgetBytes + " bytes), and " + pinned + limit, "model", null);
    }
}
