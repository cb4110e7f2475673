package dev.magi.core.events;

import dev.magi.core.supervision.ServerStatus;

import java.util.Objects;

/**
 * A server changed state (starting, ready, stopped, failed...); the stream sends its whole status.
 *
 * @param status the server's status after the change
 */
public record ServerChanged(ServerStatus status) implements MagiEvent {

    public ServerChanged {
        Objects.requireNonNull(status, "status");
    }

    @Override
    public String type() {
        return "server";
    }

    @Override
    public Object data() {
        return status;
    }
}
