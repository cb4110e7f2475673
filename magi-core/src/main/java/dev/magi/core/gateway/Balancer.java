package dev.magi.core.gateway;

import dev.magi.spi.ModelProfile.LoadBalancing;
import dev.magi.spi.ModelProfile.Strategy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.random.RandomGenerator;

/**
 * Which server of a list of candidates takes a request, by the active profile's {@code loadBalancing}.
 * <ol>
 *   <li>Balancing off: always the first candidate, started when stopped, queued on when full.</li>
 *   <li>A session's last server, while it is ready, healthy and has a free slot: a multi-turn chat
 *       keeps its model and llama-server's prompt cache.</li>
 *   <li>Among the ready, healthy servers with a free slot: {@code round_robin} rotates,
 *       {@code least_loaded} takes the lowest (in flight + queued) / slots, {@code random} picks
 *       uniformly.</li>
 *   <li>None free: the next stopped candidate starts, if memory admits it without evicting a busy
 *       server.</li>
 *   <li>Otherwise the request queues on the least loaded ready, healthy server, else on one that is
 *       still starting; with nothing running at all, the first candidate starts and the memory rules
 *       decide whether it waits or is refused.</li>
 * </ol>
 */
public final class Balancer {
    // One rotation per list of candidates (a tier, a model), so tiers do not disturb each other.
    private final Map<String, AtomicLong> rotations = new ConcurrentHashMap<>();
    private final RandomGenerator random;

    public Balancer(RandomGenerator random) {
        this.random = random;
    }

    /**
     * @param pool          names the list of candidates for round robin, such as the tier's name
     * @param candidates    the candidates in order, never empty
     * @param running       the servers that run (ready or starting), by model id
     * @param settings      the active profile's load balancing, or its defaults
     * @param sessionModel  the model that served the request's session last, or null
     * @param startAdmitted whether memory admits starting a stopped model without evicting a busy server
     */
    public Decision choose(String pool, List<String> candidates, Map<String, ServerLoad> running,
                           LoadBalancing settings, String sessionModel, Predicate<String> startAdmitted) {
        if (candidates.isEmpty()) {
            throw new IllegalArgumentException("no candidates for " + pool);
        }
        if (!settings.enabled()) {
            String first = candidates.get(0);
            ServerLoad load = running.get(first);
            if (load == null) {
                return new Decision.Start(first);
            }
            return load.hasFreeSlot() ? new Decision.Use(first) : new Decision.Queue(first);
        }
        List<ServerLoad> free = new ArrayList<>();
        for (String id : candidates) {
            ServerLoad load = running.get(id);
            if (load != null && load.hasFreeSlot()) {
                free.add(load);
            }
        }
        if (sessionModel != null && free.stream().anyMatch(load -> load.modelId().equals(sessionModel))) {
            return new Decision.Use(sessionModel);
        }
        if (!free.isEmpty()) {
            return new Decision.Use(pick(pool, free, settings.strategy()).modelId());
        }
        for (String id : candidates) {
            if (!running.containsKey(id) && startAdmitted.test(id)) {
                return new Decision.Start(id);
            }
        }
        return queueOrStart(candidates, running);
    }

    private ServerLoad pick(String pool, List<ServerLoad> free, Strategy strategy) {
        return switch (strategy) {
            case ROUND_ROBIN -> free.get((int) Math.floorMod(
                    rotations.computeIfAbsent(pool, key -> new AtomicLong()).getAndIncrement(), (long) free.size()));
            case LEAST_LOADED -> free.stream().min(Comparator.comparingDouble(ServerLoad::load)).orElseThrow();
            case RANDOM -> free.get(random.nextInt(free.size()));
        };
    }

    private static Decision queueOrStart(List<String> candidates, Map<String, ServerLoad> running) {
        Comparator<ServerLoad> leastLoaded = Comparator.comparingDouble(ServerLoad::load);
        List<ServerLoad> ready = new ArrayList<>();
        List<ServerLoad> starting = new ArrayList<>();
        for (String id : candidates) {
            ServerLoad load = running.get(id);
            if (load != null) {
                (load.ready() ? ready : starting).add(load);
            }
        }
        var healthy = ready.stream().filter(ServerLoad::healthy).min(leastLoaded);
        if (healthy.isPresent()) {
            return new Decision.Queue(healthy.get().modelId());
        }
        var warming = starting.stream().min(leastLoaded);
        if (warming.isPresent()) {
            return new Decision.Queue(warming.get().modelId());
        }
        var unhealthy = ready.stream().min(leastLoaded);
        if (unhealthy.isPresent()) {
            return new Decision.Queue(unhealthy.get().modelId());
        }
        return new Decision.Start(candidates.get(0));
    }
}
