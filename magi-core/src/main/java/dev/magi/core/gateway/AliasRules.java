package dev.magi.core.gateway;

import dev.magi.core.discovery.ModelIds;
import dev.magi.spi.MagiException;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What a model's aliases may be: names that OpenAI clients already send (such as
 * {@code gpt-4o-mini}), each naming one model. An alias must not be read as something else: not a
 * model id, not a tier name or {@code auto}, not another model's alias.
 */
public final class AliasRules {
    static final int MAX_ALIASES = 32;
    static final int MAX_LENGTH = 128;

    private AliasRules() {
    }

    /**
     * The aliases {@code modelId} is to have, checked.
     *
     * @param aliases  the new aliases, replacing the model's current ones
     * @param modelIds every model id of the registry
     * @param aliasesInUse every alias in use, with the id of the model that has it
     * @throws MagiException {@code InvalidRequest} naming the alias and why
     */
    public static List<String> check(String modelId, List<String> aliases, Set<String> modelIds,
                                     Map<String, String> aliasesInUse) {
        if (aliases == null) {
            throw MagiException.invalidRequest("'aliases' must be a list of names", "aliases");
        }
        if (aliases.size() > MAX_ALIASES) {
            throw MagiException.invalidRequest("A model has at most " + MAX_ALIASES + " aliases", "aliases");
        }
        Set<String> seen = new HashSet<>();
        List<String> checked = new ArrayList<>();
        for (String alias : aliases) {
            String problem = problem(alias, modelId, modelIds, aliasesInUse);
            if (problem == null && !seen.add(alias)) {
                problem = "is listed twice";
            }
            if (problem != null) {
                String shown = alias == null ? "null" : "'" + alias.replaceAll("\\p{Cntrl}", "?") + "'";
                throw MagiException.invalidRequest("The alias " + shown + " " + problem, "aliases");
            }
            checked.add(alias);
        }
        return List.copyOf(checked);
    }

    private static String problem(String alias, String modelId, Set<String> modelIds, Map<String, String> inUse) {
        if (alias == null || alias.isBlank()) {
            return "is empty";
        }
        if (alias.length() > MAX_LENGTH) {
            return "is longer than " + MAX_LENGTH + " characters";
        }
        if (alias.codePoints().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c)
                || Character.getType(c) == Character.SURROGATE)) {
            return "holds a space or a control character";
        }
        if (ModelIds.VIRTUAL_MODEL_NAMES.contains(alias.toLowerCase(Locale.ROOT))) {
            return "is a tier name or auto, which the gateway reads as such";
        }
        if (modelIds.contains(alias) || modelIds.contains(alias.toLowerCase(Locale.ROOT))) {
            return "is a model id";
        }
        String owner = inUse.get(alias);
        if (owner != null && !owner.equals(modelId)) {
            return "is already an alias of " + owner;
        }
        return null;
    }
}
