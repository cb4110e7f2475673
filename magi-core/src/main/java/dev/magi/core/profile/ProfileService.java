package dev.magi.core.profile;

import dev.magi.core.events.EventHub;
import dev.magi.core.events.ProfileChanged;
import dev.magi.core.profile.format.ProfileYaml;
import dev.magi.core.registry.ModelRegistry;
import dev.magi.spi.ErrorCode;
import dev.magi.spi.MagiException;
import dev.magi.spi.ModelProfile;
import dev.magi.spi.RegistryStore;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Profiles as the API sees them: list, read, create, replace and delete, with the contract's errors.
 * A profile may name models the registry does not hold (they may be on a disk not mounted now): it is
 * accepted, and those ids are reported as {@code unknownModels}.
 */
public final class ProfileService {
    /** Taken by {@code GET /profiles/active}, so a profile of that name could never be read back. */
    public static final String RESERVED_NAME = "active";

    private final RegistryStore store;
    private final ModelRegistry registry;
    private final EventHub events;
    private final Object writeLock = new Object();

    public ProfileService(RegistryStore store, ModelRegistry registry, EventHub events) {
        this.store = store;
        this.registry = registry;
        this.events = events;
    }

    /** What a create or replace did. */
    public record SaveResult(String profileName, List<String> unknownModels) {
        public SaveResult {
            unknownModels = List.copyOf(unknownModels);
        }
    }

    /** Profile names, sorted. */
    public List<String> names() {
        List<String> names = new ArrayList<>(store.profileNames());
        Collections.sort(names);
        return names;
    }

    /**
     * @throws MagiException {@link ErrorCode#INVALID_PROFILE_NAME}, {@link ErrorCode#PROFILE_NOT_FOUND}
     */
    public ModelProfile get(String name) {
        ModelProfile.requireValidName(name);
        return store.loadProfile(name).orElseThrow(() -> notFound(name));
    }

    /**
     * @throws MagiException {@link ErrorCode#PROFILE_EXISTS} when the name is taken,
     *                       {@link ErrorCode#PAYLOAD_TOO_LARGE} when it would be too large to read back
     */
    public SaveResult create(ModelProfile profile) {
        if (RESERVED_NAME.equals(profile.name())) {
            throw new MagiException(ErrorCode.INVALID_PROFILE_NAME, "The profile name '" + RESERVED_NAME
                    + "' is reserved: /api/models/profiles/active answers which profile is active",
                    Map.of("profileName", RESERVED_NAME));
        }
        requireReadable(profile);
        synchronized (writeLock) {
            // Listed means a file exists, even one that cannot be parsed: never write over it.
            if (store.profileNames().contains(profile.name())) {
                throw new MagiException(ErrorCode.PROFILE_EXISTS,
                        "Profile '" + profile.name() + "' already exists", Map.of("profileName", profile.name()));
            }
            store.saveProfile(profile);
        }
        changed(profile.name());
        return new SaveResult(profile.name(), unknownModels(profile));
    }

    /**
     * Replaces the profile called {@code name}; the body's own name, if any, must be the same.
     *
     * @throws MagiException {@link ErrorCode#PROFILE_NOT_FOUND}, {@link ErrorCode#INVALID_PROFILE},
     *                       {@link ErrorCode#PAYLOAD_TOO_LARGE}
     */
    public SaveResult replace(String name, ModelProfile profile) {
        ModelProfile.requireValidName(name);
        if (!profile.name().equals(name)) {
            throw new MagiException(ErrorCode.INVALID_PROFILE, "The body names profile '" + profile.name()
                    + "' but the path names '" + name + "'", Map.of("profileName", name));
        }
        requireReadable(profile);
        synchronized (writeLock) {
            if (!store.profileNames().contains(name)) {
                throw notFound(name);
            }
            store.saveProfile(profile);
        }
        changed(name);
        return new SaveResult(name, unknownModels(profile));
    }

    /**
     * @throws MagiException {@link ErrorCode#PROFILE_NOT_FOUND}, {@link ErrorCode#PROFILE_ACTIVE}
     */
    public void delete(String name) {
        ModelProfile.requireValidName(name);
        synchronized (writeLock) {
            if (active().filter(name::equals).isPresent()) {
                throw new MagiException(ErrorCode.PROFILE_ACTIVE, "Profile '" + name
                        + "' is active; activate another profile before deleting it",
                        Map.of("profileName", name));
            }
            if (!store.deleteProfile(name)) {
                throw notFound(name);
            }
        }
        changed(name);
    }

    /**
     * Records {@code name} as the active profile (null: none), under the same lock as a delete, so
     * that a profile being deleted cannot become the active one.
     *
     * @throws MagiException {@link ErrorCode#PROFILE_NOT_FOUND}
     */
    public void setActive(String name) {
        synchronized (writeLock) {
            if (name != null && store.loadProfile(name).isEmpty()) {
                throw notFound(name);
            }
            store.saveActiveProfile(name);
        }
        if (name != null) {
            events.publish(new ProfileChanged(name, name));
        }
    }

    /** The active profile's name, if one is active. */
    public Optional<String> active() {
        return store.loadActiveProfile();
    }

    /** Ids the profile names that the registry does not hold. */
    public List<String> unknownModels(ModelProfile profile) {
        List<String> unknown = new ArrayList<>();
        for (String id : profile.enabledModels()) {
            if (registry.find(id).isEmpty()) {
                unknown.add(id);
            }
        }
        return unknown;
    }

    /**
     * YAML takes more room than the JSON a client sends (a list item is a line of its own, indented),
     * so a body under the request limit can make a profile over the limit the reader accepts; such a
     * profile would be saved and then never read again.
     */
    private static void requireReadable(ModelProfile profile) {
        long size = ProfileYaml.write(profile).getBytes(StandardCharsets.UTF_8).length;
        if (size > ProfileYaml.MAX_BYTES) {
            throw new MagiException(ErrorCode.PAYLOAD_TOO_LARGE, "Profile '" + profile.name() + "' is too large:"
                    + " stored as YAML it would take " + size + " bytes, and a profile may take at most "
                    + ProfileYaml.MAX_BYTES, Map.of("profileName", profile.name(), "sizeBytes", size,
                    "limitBytes", ProfileYaml.MAX_BYTES));
        }
    }

    private void changed(String name) {
        events.publish(new ProfileChanged(name, active().orElse("")));
    }

    private static MagiException notFound(String name) {
        return new MagiException(ErrorCode.PROFILE_NOT_FOUND, "Profile '" + name + "' not found",
                Map.of("profileName", name));
    }
}
