package dev.magi.core.gateway;

import dev.magi.spi.Tier;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * {@code auto}'s warm spill-up: when no server of the scored tier could take the question now (none
 * ready, healthy and with a free slot, so it would wait for a start or a slot) while a higher tier has
 * one, the higher tier answers at once. Never a lower tier: a question is not answered worse to save
 * time.
 */
public final class SpillUp {
    private SpillUp() {
    }

    /**
     * @param scored       the tier the question's score chose
     * @param candidatesOf each tier's candidates
     * @param running      the running servers by model id
     * @return the scored tier, or the lowest higher tier with a free server
     */
    public static Tier tier(Tier scored, Function<Tier, List<String>> candidatesOf, Map<String, ServerLoad> running) {
        if (hasFreeServer(candidatesOf.apply(scored), running)) {
            return scored;
        }
        for (int i = scored.ordinal() + 1; i < Tier.values().length; i++) {
            Tier higher = Tier.values()[i];
            if (hasFreeServer(candidatesOf.apply(higher), running)) {
                return higher;
            }
        }
        return scored;
    }

    private static boolean hasFreeServer(List<String> candidates, Map<String, ServerLoad> running) {
        for (String id : candidates) {
            ServerLoad load = running.get(id);
            if (load != null && load.hasFreeSlot()) {
                return true;
            }
        }
        return false;
    }
}
