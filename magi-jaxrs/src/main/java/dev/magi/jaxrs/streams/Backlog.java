package dev.magi.jaxrs.streams;

import java.util.List;

/** What waits to be sent on one stream; taken on the sending side, never by the producer. */
@FunctionalInterface
public interface Backlog {
    /** The events waiting now, oldest first, and no longer waiting; empty when there are none. Never blocks. */
    List<StreamEvent> take();
}
