package dev.magi.core.gateway;

import dev.magi.spi.DiscoveredModel;
import dev.magi.spi.Tier;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The models that may serve a tier, and where a tier without any escalates. A tier's candidates are
 * the enabled, runnable models of that effective tier, in the order of the active profile's
 * {@code enabledModels} and then by id, so a profile decides which model of a tier is tried first.
 */
public final class Candidates {
    private Candidates() {
    }

    /** The chosen tier, and its candidates in order; never empty. */
    public record TierCandidates(Tier tier, List<String> modelIds) {
        public TierCandidates {
            modelIds = List.copyOf(modelIds);
        }
    }

    /**
     * The candidates of {@code tier}.
     *
     * @param profileOrder the active profile's {@code enabledModels}; empty without one
     */
    public static List<String> of(Tier tier, Collection<DiscoveredModel> models, List<String> profileOrder) {
        Map<String, Integer> rank = new HashMap<>();
        for (int i = 0; i < profileOrder.size(); i++) {
            rank.putIfAbsent(profileOrder.get(i), i);
        }
        List<String> ids = new ArrayList<>();
        for (DiscoveredModel model : models) {
            if (model.enabled() && model.isRunnable() && model.effectiveTier() == tier) {
                ids.add(model.modelId());
            }
        }
        ids.sort(Comparator.<String>comparingInt(id -> rank.getOrDefault(id, Integer.MAX_VALUE))
                .thenComparing(Comparator.naturalOrder()));
        return ids;
    }

    /** The tiers to try for {@code asked}, in order: itself, the higher ones upwards, then the lower ones downwards. */
    public static List<Tier> escalation(Tier asked) {
        List<Tier> order = new ArrayList<>();
        order.add(asked);
        for (int i = asked.ordinal() + 1; i < Tier.values().length; i++) {
            order.add(Tier.values()[i]);
        }
        for (int i = asked.ordinal() - 1; i >= 0; i--) {
            order.add(Tier.values()[i]);
        }
        return order;
    }

    /**
     * The first tier of {@link #escalation(Tier)} that has candidates, with them.
     *
     * @throws GatewayException {@code no_available_model} when no tier has any
     */
    public static TierCandidates forTier(Tier asked, Collection<DiscoveredModel> models, List<String> profileOrder) {
        for (Tier tier : escalation(asked)) {
            List<String> ids = of(tier, models, profileOrder);
            if (!ids.isEmpty()) {
                return new TierCandidates(tier, ids);
            }
        }
        throw new GatewayException(GatewayError.NO_AVAILABLE_MODEL, "No enabled model can serve '" + asked.wireName()
                + "' or any other tier: enable a model (PUT /api/models/{id}/enabled) or activate a profile",
                "model", null);
    }
}
