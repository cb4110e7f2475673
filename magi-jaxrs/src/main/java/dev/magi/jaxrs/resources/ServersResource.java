package dev.magi.jaxrs.resources;

import dev.magi.core.engine.MagiEngine;
import dev.magi.core.gateway.MemoryUse;
import dev.magi.core.supervision.LogFollower;
import dev.magi.core.supervision.ServerStatus;
import dev.magi.core.supervision.ServerSupervisor;
import dev.magi.core.supervision.StartAllResult;
import dev.magi.jaxrs.streams.EventStream;
import dev.magi.jaxrs.streams.EventStreams;
import dev.magi.jaxrs.streams.StreamEvent;
import dev.magi.spi.MagiException;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The llama-server processes under {@code /api/models/servers}. */
@Path("api/models/servers")
@Singleton
@Produces(MediaType.APPLICATION_JSON)
public final class ServersResource {
    private final MagiEngine engine;
    private final ServerSupervisor supervisor;
    private final EventStreams streams;

    @Inject
    public ServersResource(MagiEngine engine, EventStreams streams) {
        this.engine = engine;
        this.supervisor = engine.supervisor();
        this.streams = streams;
    }

    @GET
    public Map<String, Object> servers() {
        List<ServerStatus> servers = supervisor.servers().stream()
                .map(status -> status.withTraffic(engine.gateway().traffic(status.modelId()))
                        .withRetention(engine.gateway().retention(status.modelId()))).toList();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("totalServers", servers.size());
        body.put("readyServers", servers.stream().filter(ServerStatus::isReady).count());
        body.put("runningServers", servers.stream().filter(ServerStatus::isRunning).count());
        body.put("servers", servers);
        body.put("llamaServer", engine.llamaServer().current());
        MemoryUse memory = engine.gateway().memory();
        Map<String, Object> budget = new LinkedHashMap<>();
        budget.put("budgetBytes", memory.budgetBytes());
        budget.put("reservedBytes", memory.reservedBytes());
        budget.put("maxLoadedModels", memory.maxLoadedModels());
        body.put("memory", budget);
        return body;
    }

    @POST
    @Path("{id}/start")
    public Response start(@PathParam("id") String id, @QueryParam("wait") @DefaultValue("true") String wait) {
        boolean waitUntilReady = parseWait(wait);
        ServerStatus status = engine.startServer(id, waitUntilReady);
        return Response.status(waitUntilReady ? 200 : 202).entity(status).build();
    }

    @POST
    @Path("{id}/stop")
    public ServerStatus stop(@PathParam("id") String id) {
        return supervisor.stop(id);
    }

    @POST
    @Path("start-all")
    public StartAllResult startAll() {
        return engine.startAllEnabled();
    }

    @POST
    @Path("stop-all")
    public Map<String, Object> stopAll() {
        return Map.of("stopped", supervisor.stopAll());
    }

    @GET
    @Path("{id}/logs")
    public Map<String, Object> logs(@PathParam("id") String id, @QueryParam("tail") @DefaultValue("200") String tail) {
        int lines = parseTail(tail);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("modelId", id);
        body.put("lines", supervisor.logs(id, lines));
        return body;
    }

    /**
     * The tail of the log, then each new line as it is written. A client that reads more slowly than
     * the server writes loses lines, and is told how many by a line of stream {@code magi}: the server
     * never waits for it.
     */
    @GET
    @Path("{id}/logs/stream")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void logStream(@PathParam("id") String id, @QueryParam("tail") @DefaultValue("200") String tail,
                          @Context SseEventSink sink, @Context Sse sse) {
        // Checked as for /logs: a typed int parameter would make Jersey answer 404 to tail=abc.
        int lines = parseTail(tail);
        EventStream stream = streams.open(sink, sse);
        LogFollower follower;
        try {
            follower = supervisor.followLogs(id, lines, stream::wake);
        } catch (RuntimeException e) {
            stream.abandon();
            throw e;
        }
        stream.start(() -> follower.take().stream().map(line -> StreamEvent.of("log", line)).toList(),
                follower::close);
    }

    private static int parseTail(String tail) {
        int lines;
        try {
            lines = Integer.parseInt(tail.trim());
        } catch (NumberFormatException e) {
            lines = -1;
        }
        if (lines < 0 || lines > 1000) {
            throw MagiException.invalidRequest("tail must be a whole number from 0 to 1000", "tail");
        }
        return lines;
    }

    private static boolean parseWait(String wait) {
        if ("true".equalsIgnoreCase(wait)) {
            return true;
        }
        if ("false".equalsIgnoreCase(wait)) {
            return false;
        }
        throw MagiException.invalidRequest("wait must be true or false", "wait");
    }
}
