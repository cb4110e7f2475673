package dev.magi.core.memory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Whether a model's server may start within the memory budget and the limit of servers loaded at once,
 * and which idle servers to stop first to make room: the least recently used of those not pinned and
 * not busy. A busy server is never evicted; a pinned one (started through the API or by a profile)
 * neither.
 */
public final class EvictionPlanner {
    private final long budgetBytes;
    private final int maxLoadedModels;

    /**
     * @param budgetBytes     what the running models' estimates may add up to
     * @param maxLoadedModels servers running at once, 0 for no limit
     */
    public EvictionPlanner(long budgetBytes, int maxLoadedModels) {
        if (budgetBytes <= 0 || maxLoadedModels < 0) {
            throw new IllegalArgumentException("budget must be positive and the model limit at least 0");
        }
        this.budgetBytes = budgetBytes;
        this.maxLoadedModels = maxLoadedModels;
    }

    /** The plan for starting a server of {@code neededBytes} beside the {@code loaded} ones. */
    public EvictionPlan plan(long neededBytes, List<LoadedServer> loaded) {
        long pinnedBytes = 0;
        int pinnedCount = 0;
        long usedBytes = 0;
        for (LoadedServer server : loaded) {
            usedBytes += server.memoryBytes();
            if (server.pinned()) {
                pinnedBytes += server.memoryBytes();
                pinnedCount++;
            }
        }
        if (neededBytes > budgetBytes - pinnedBytes) {
            return new EvictionPlan.Refuse("it needs " + MemorySize.format(neededBytes) + " and the memory budget is "
                    + MemorySize.format(budgetBytes) + (pinnedBytes > 0 ? ", of which pinned servers hold "
                    + MemorySize.format(pinnedBytes) : ""));
        }
        if (maxLoadedModels > 0 && pinnedCount >= maxLoadedModels) {
            return new EvictionPlan.Refuse(pinnedCount + " pinned servers already run, the limit is " + maxLoadedModels);
        }
        List<LoadedServer> evictable = new ArrayList<>();
        for (LoadedServer server : loaded) {
            if (!server.pinned() && !server.busy()) {
                evictable.add(server);
            }
        }
        evictable.sort(Comparator.comparing(LoadedServer::lastUsed).thenComparing(LoadedServer::modelId));
        List<String> evict = new ArrayList<>();
        long freeBytes = budgetBytes - usedBytes;
        int running = loaded.size();
        for (LoadedServer server : evictable) {
            if (fits(neededBytes, freeBytes, running)) {
                break;
            }
            evict.add(server.modelId());
            freeBytes += server.memoryBytes();
            running--;
        }
        if (fits(neededBytes, freeBytes, running)) {
            return new EvictionPlan.Start(evict);
        }
        return new EvictionPlan.Wait("busy servers hold the memory or the places it needs; it starts when one is"
                + " idle");
    }

    private boolean fits(long neededBytes, long freeBytes, int running) {
        return neededBytes <= freeBytes && (maxLoadedModels == 0 || running < maxLoadedModels);
    }
}
