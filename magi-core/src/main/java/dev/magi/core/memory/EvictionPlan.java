package dev.magi.core.memory;

import java.util.List;

/** What to do about a server that is to start, given what already runs and the limits. */
public sealed interface EvictionPlan {

    /** It fits once these idle, unpinned servers are stopped (none when it fits as things are). */
    record Start(List<String> evict) implements EvictionPlan {
        public Start {
            evict = List.copyOf(evict);
        }
    }

    /**
     * It would fit, but only once a busy server becomes idle and can be evicted: the request queues
     * and asks again.
     */
    record Wait(String reason) implements EvictionPlan {
    }

    /** It can never fit, even with every unpinned server stopped: the request is refused. */
    record Refuse(String reason) implements EvictionPlan {
    }
}
