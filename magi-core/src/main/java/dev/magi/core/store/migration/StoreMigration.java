package dev.magi.core.store.migration;

import dev.magi.spi.ErrorCode;
import dev.magi.spi.MagiException;
import dev.magi.spi.ModelProfile;
import dev.magi.spi.RegistrySnapshot;
import dev.magi.spi.RegistryStore;
import dev.magi.spi.Settings;
import dev.magi.spi.StoreProvider;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Copies the registry, the profiles and the active profile from one store to another, then proves
 * the copy by opening the target afresh and reading everything back.
 *
 * <p>The target is left alone when it holds anything the copy would change (a different registry, a
 * profile the source lacks or holds otherwise, another active profile), unless {@code force} is set;
 * then the target becomes an exact copy, its extra profiles deleted. What the target already holds
 * identically is not a reason to refuse, so the {@code json} and {@code yaml} stores, which share the
 * profiles directory, migrate into each other without {@code force}, and running the same migration
 * twice is harmless.
 *
 * <p>The source is read once, through a store of its own that is closed before the target is opened:
 * migrating from a registry that a running MAGI keeps works for the file stores, whose every save
 * replaces the file whole; what changes after the read is not copied.
 */
public final class StoreMigration {

    /** One side of a migration: the plugin and the settings it opens its store with. */
    public record Side(StoreProvider provider, Settings settings) {
        public Side {
            Objects.requireNonNull(provider, "provider");
            Objects.requireNonNull(settings, "settings");
        }

        String name() {
            return provider.name();
        }
    }

    /**
     * What was copied.
     *
     * @param from          the source store's name and where it keeps its data
     * @param to            the target store's name and where it keeps its data
     * @param models        models in the registry copied
     * @param profiles      names of the profiles copied, sorted
     * @param activeProfile the active profile copied, or null when none was active
     * @param replaced      what the target held before and the copy replaced (only with {@code force})
     */
    public record Result(String from, String to, int models, List<String> profiles, String activeProfile,
                         List<String> replaced) {
        public Result {
            profiles = List.copyOf(profiles);
            replaced = List.copyOf(replaced);
        }

        /** One line for a person: what went where, and that it was read back. */
        public String summary() {
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "Migrated %d model%s, %d profile%s",
                    models, models == 1 ? "" : "s", profiles.size(), profiles.size() == 1 ? "" : "s"));
            line.append(activeProfile == null ? " and no active profile" : " and the active profile '" + activeProfile + "'");
            line.append(" from ").append(from).append(" to ").append(to);
            if (!replaced.isEmpty()) {
                line.append(", replacing ").append(String.join(", ", replaced));
            }
            return line.append("; read back and verified").toString();
        }
    }

    /** Everything a store keeps, as read at one time. */
    private record Contents(RegistrySnapshot registry, Map<String, ModelProfile> profiles, String activeProfile) {
    }

    private StoreMigration() {
    }

    /**
     * Copies {@code from} into {@code to}.
     *
     * @throws MagiException {@link ErrorCode#INVALID_REQUEST} when the source holds no registry, or when
     *                       the target holds something the copy would change and {@code force} is not
     *                       set (then nothing was written); {@link ErrorCode#STORAGE_FAILED} when a store
     *                       fails or the target does not read back what was written
     */
    public static Result migrate(Side from, Side to, boolean force) {
        String source;
        Contents contents;
        // As found: a damaged source is an error to report, not something to repair or empty on the way.
        try (RegistryStore store = from.provider().openAsFound(from.settings())) {
            source = describe(from, store);
            contents = read(store, source);
        } catch (MagiException e) {
            throw new MagiException(e.code(), "Cannot read the " + from.name() + " store to migrate from: "
                    + e.getMessage() + "; nothing was written", e.details(), e);
        }
        if (contents.registry() == null) {
            throw new MagiException(ErrorCode.INVALID_REQUEST, "The " + source
                    + " holds no registry: nothing to migrate (are its settings, such as REGISTRY_PATH, right?)",
                    Map.of("from", from.name()));
        }

        String target;
        List<String> replaced;
        try (RegistryStore store = to.provider().open(to.settings())) {
            target = describe(to, store);
            replaced = whatWouldBeReplaced(read(store, target), contents);
            if (!replaced.isEmpty() && !force) {
                throw new MagiException(ErrorCode.INVALID_REQUEST, "The " + target + " already holds "
                        + String.join(", ", replaced) + "; nothing was written",
                        Map.of("to", to.name(), "holds", replaced));
            }
            write(store, contents, target);
        }

        try (RegistryStore store = to.provider().open(to.settings())) {
            verify(read(store, target), contents, target);
        }
        return new Result(source, target, contents.registry().models().size(),
                List.copyOf(contents.profiles().keySet()), contents.activeProfile(), replaced);
    }

    private static String describe(Side side, RegistryStore store) {
        return side.name() + " store (" + store + ")";
    }

    private static Contents read(RegistryStore store, String where) {
        RegistrySnapshot registry = store.loadRegistry().orElse(null);
        Map<String, ModelProfile> profiles = new LinkedHashMap<>();
        for (String name : store.profileNames()) {
            ModelProfile profile = store.loadProfile(name).orElseThrow(() -> new MagiException(
                    ErrorCode.STORAGE_FAILED, "The " + where + " lists the profile '" + name
                    + "' but cannot load it", Map.of("profileName", name)));
            profiles.put(name, profile);
        }
        return new Contents(registry, profiles, store.loadActiveProfile().orElse(null));
    }

    /** What the target holds that differs from the source, for a person to read. */
    private static List<String> whatWouldBeReplaced(Contents target, Contents source) {
        List<String> replaced = new ArrayList<>();
        if (target.registry() != null && !sameRegistry(target.registry(), source.registry())) {
            int n = target.registry().models().size();
            replaced.add("a registry of " + n + " model" + (n == 1 ? "" : "s"));
        }
        target.profiles().forEach((name, profile) -> {
            if (!profile.equals(source.profiles().get(name))) {
                replaced.add("the profile '" + name + "'");
            }
        });
        if (target.activeProfile() != null && !target.activeProfile().equals(source.activeProfile())) {
            replaced.add("the active profile '" + target.activeProfile() + "'");
        }
        return replaced;
    }

    private static void write(RegistryStore store, Contents contents, String where) {
        try {
            for (String name : store.profileNames()) {
                if (!contents.profiles().containsKey(name)) {
                    store.deleteProfile(name);
                }
            }
            for (ModelProfile profile : contents.profiles().values()) {
                store.saveProfile(profile);
            }
            store.saveActiveProfile(contents.activeProfile());
            store.saveRegistry(contents.registry());
        } catch (MagiException e) {
            throw new MagiException(ErrorCode.STORAGE_FAILED, "Writing to the " + where + " failed, which may now"
                    + " hold part of the copy: " + e.getMessage(), e.details(), e);
        }
    }

    private static void verify(Contents found, Contents expected, String where) {
        List<String> differences = new ArrayList<>();
        if (found.registry() == null) {
            differences.add("no registry");
        } else if (!sameRegistry(found.registry(), expected.registry())) {
            differences.add("a different registry (" + registryDifference(found.registry(), expected.registry()) + ")");
        }
        if (!found.profiles().equals(expected.profiles())) {
            differences.add("profiles " + found.profiles().keySet() + " instead of " + expected.profiles().keySet()
                    + " or with other contents");
        }
        if (!Objects.equals(found.activeProfile(), expected.activeProfile())) {
            differences.add("the active profile " + found.activeProfile() + " instead of " + expected.activeProfile());
        }
        if (!differences.isEmpty()) {
            throw new MagiException(ErrorCode.STORAGE_FAILED, "The " + where + " does not read back what was written: "
                    + "it holds " + String.join(", ", differences), Map.of("differences", differences));
        }
    }

    /** Equal, and with the models in the same order: the order is part of what a store keeps. */
    private static boolean sameRegistry(RegistrySnapshot a, RegistrySnapshot b) {
        return a.equals(b) && List.copyOf(a.models().keySet()).equals(List.copyOf(b.models().keySet()));
    }

    private static String registryDifference(RegistrySnapshot found, RegistrySnapshot expected) {
        if (found.models().size() != expected.models().size()) {
            return found.models().size() + " models instead of " + expected.models().size();
        }
        for (var entry : expected.models().entrySet()) {
            if (!entry.getValue().equals(found.models().get(entry.getKey()))) {
                return "model '" + entry.getKey() + "' differs";
            }
        }
        if (!List.copyOf(found.models().keySet()).equals(List.copyOf(expected.models().keySet()))) {
            return "the models are in another order";
        }
        return Optional.ofNullable(found.scanPath()).equals(Optional.ofNullable(expected.scanPath()))
                ? "its settings or scan time differ" : "its scan path differs";
    }
}
