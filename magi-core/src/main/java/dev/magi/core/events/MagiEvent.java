package dev.magi.core.events;

import java.util.Objects;

/**
 * One change somewhere in MAGI, as the {@code /events} stream tells it.
 *
 * @param type {@code registry}, {@code server} or {@code profile}
 * @param data what changed: a small registry summary, a server's status, or the active profile
 */
public record MagiEvent(String type, Object data) {
    public static final String REGISTRY = "registry";
    public static final String SERVER = "server";
    public static final String PROFILE = "profile";

    public MagiEvent {
        Objects.requireNonNull(type, "type");
    }
}
