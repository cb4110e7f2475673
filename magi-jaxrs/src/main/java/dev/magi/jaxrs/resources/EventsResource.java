package dev.magi.jaxrs.resources;

import dev.magi.core.engine.MagiEngine;
import dev.magi.core.util.Subscription;
import dev.magi.jaxrs.streams.EventQueue;
import dev.magi.jaxrs.streams.EventStream;
import dev.magi.jaxrs.streams.EventStreams;
import dev.magi.jaxrs.streams.StreamEvent;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;

import java.util.Map;

/**
 * {@code GET /api/models/events}: every change of the registry ({@code registry}), of a server's
 * state ({@code server}, the server's status) or of profiles ({@code profile}), as server-sent events.
 */
@Path("api/models/events")
@Singleton
public final class EventsResource {
    /** Events a client may fall behind before the oldest are dropped. */
    private static final int BACKLOG = 10_000;

    private final MagiEngine engine;
    private final EventStreams streams;

    @Inject
    public EventsResource(MagiEngine engine, EventStreams streams) {
        this.engine = engine;
        this.streams = streams;
    }

    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void events(@Context SseEventSink sink, @Context Sse sse) {
        EventStream stream = streams.open(sink, sse);
        EventQueue queue = new EventQueue(BACKLOG, stream::wake);
        Subscription subscription;
        try {
            // A first event tells the client the stream is live. Queued before subscribing so that it is
            // first: a client that reads the state once it has hello misses no change.
            queue.add(StreamEvent.of("hello", Map.of("models", engine.registry().snapshot().models().size())));
            subscription = engine.events().subscribe(event -> queue.add(StreamEvent.of(event.type(), event.data())));
        } catch (RuntimeException e) {
            stream.abandon();
            throw e;
        }
        stream.start(queue, subscription::close);
    }
}
