package dev.magi.jaxrs.resources;

import dev.magi.core.engine.MagiEngine;
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
    private final MagiEngine engine;

    @Inject
    public EventsResource(MagiEngine engine) {
        this.engine = engine;
    }

    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void events(@Context SseEventSink sink, @Context Sse sse) {
        EventStream stream = new EventStream(sink, sse);
        // A first event tells the client the stream is live. Queued before subscribing so that it is
        // first; nothing is sent before run(), so a client that reads the state once it has hello
        // misses no change.
        stream.offer("hello", Map.of("models", engine.registry().snapshot().models().size()));
        AutoCloseable subscription = engine.events().subscribe(event -> stream.offer(event.type(), event.data()));
        AutoCloseable onShutdown = engine.events().onClose(stream::close);
        stream.run("magi-event-stream", () -> {
            ServersResource.closeQuietly(subscription);
            ServersResource.closeQuietly(onShutdown);
        });
    }
}
