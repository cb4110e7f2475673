package dev.magi.core.events;

/**
 * One change somewhere in MAGI, as the {@code /events} stream tells it. Sealed: the stream's clients
 * know exactly these kinds, so a new kind is a deliberate change of the stream, not an accident.
 */
public sealed interface MagiEvent permits RegistryChanged, ServerChanged, ProfileChanged,
        GatewayChanged {

    /** The event's name on the stream: {@code registry}, {@code server}, {@code profile} or {@code gateway}. */
    String type();

    /** What the stream sends as the event's data, in the form its clients read. */
    Object data();
}
