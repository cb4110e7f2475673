package dev.magi.core.gateway;

import dev.magi.spi.DiscoveredModel;
import dev.magi.spi.Tier;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a request's {@code model} names, first match wins: a model id, an alias, a tier name
 * ({@code fast}, {@code balanced}, {@code powerful}, any case), then {@code auto}. A model named
 * directly may be any model the registry holds, enabled or not; a tier or {@code auto} chooses among
 * candidates later ({@link Candidates}).
 */
public final class ModelResolver {
    /** The virtual name that scores the question to pick a tier. */
    public static final String AUTO = "auto";
    /** How many close ids an unknown name's error suggests. */
    static final int SUGGESTIONS = 5;

    private ModelResolver() {
    }

    /**
     * @param name    the request's {@code model}, as sent
     * @param models  the registry's models by id
     * @param aliases each alias with the id of the model it names
     * @throws GatewayException {@code model_required} when the name is missing or blank,
     *                          {@code model_not_found} naming up to 5 close ids when nothing matches
     */
    public static Target resolve(String name, Map<String, DiscoveredModel> models, Map<String, String> aliases) {
        if (name == null || name.isBlank()) {
            throw new GatewayException(GatewayError.MODEL_REQUIRED,
                    "The request has no 'model': name a model id, an alias, a tier (fast, balanced, powerful) or auto",
                    "model", null);
        }
        if (models.containsKey(name)) {
            return new Target.Model(name, Route.MODEL);
        }
        String aliased = aliases.get(name);
        if (aliased != null && models.containsKey(aliased)) {
            return new Target.Model(aliased, Route.ALIAS);
        }
        for (Tier tier : Tier.values()) {
            if (tier.wireName().equalsIgnoreCase(name)) {
                return new Target.OfTier(tier);
            }
        }
        if (AUTO.equalsIgnoreCase(name)) {
            return new Target.Auto();
        }
        // Ids are lower case; a client that writes the file name's case still means the model.
        String lower = name.toLowerCase(Locale.ROOT);
        if (models.containsKey(lower)) {
            return new Target.Model(lower, Route.MODEL);
        }
        List<String> close = closeIds(lower, models.keySet());
        throw new GatewayException(GatewayError.MODEL_NOT_FOUND, "The model '" + printable(name)
                + "' does not exist" + (close.isEmpty() ? "" : "; close: " + String.join(", ", close)), "model", null);
    }

    /**
     * Up to {@value #SUGGESTIONS} ids a mistyped name may have meant: those that contain it or that it
     * contains, and those a few edits away, the closest first.
     */
    static List<String> closeIds(String name, Iterable<String> ids) {
        record Scored(String id, int distance) {
        }
        List<Scored> scored = new ArrayList<>();
        int limit = Math.max(2, name.length() / 3);
        for (String id : ids) {
            int distance = id.contains(name) || (name.contains(id) && id.length() >= 3)
                    ? Math.abs(id.length() - name.length()) / 8 : Levenshtein.distance(name, id, limit);
            if (distance <= limit) {
                scored.add(new Scored(id, distance));
            }
        }
        scored.sort(Comparator.comparingInt(Scored::distance).thenComparing(Scored::id));
        return scored.stream().limit(SUGGESTIONS).map(Scored::id).toList();
    }

    // A name is echoed in the error; control characters and an endless name are not.
    private static String printable(String name) {
        String shown = name.length() > 200 ? name.substring(0, 200) + "..." : name;
        return shown.replaceAll("\\p{Cntrl}", "?");
    }
}
