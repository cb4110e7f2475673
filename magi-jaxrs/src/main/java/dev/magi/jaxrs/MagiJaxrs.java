package dev.magi.jaxrs;

import dev.magi.core.engine.MagiEngine;
import dev.magi.jaxrs.errors.JsonExceptionMapper;
import dev.magi.jaxrs.errors.MagiExceptionMapper;
import dev.magi.jaxrs.errors.UnexpectedExceptionMapper;
import dev.magi.jaxrs.errors.WebApplicationExceptionMapper;
import dev.magi.jaxrs.gateway.ClientWatch;
import dev.magi.jaxrs.gateway.GatewayExceptionMapper;
import dev.magi.jaxrs.gateway.GatewayServlet;
import dev.magi.jaxrs.gateway.ModelListResource;
import dev.magi.jaxrs.gateway.OpenAiResource;
import dev.magi.jaxrs.json.ObjectMapperResolver;
import dev.magi.jaxrs.metrics.GatewayMeters;
import dev.magi.jaxrs.metrics.GatewayRequestsResource;
import dev.magi.jaxrs.metrics.MetricsResource;
import dev.magi.jaxrs.resources.EventsResource;
import dev.magi.jaxrs.resources.HealthResource;
import dev.magi.jaxrs.resources.ModelsResource;
import dev.magi.jaxrs.resources.ProfilesResource;
import dev.magi.jaxrs.resources.ReadinessResource;
import dev.magi.jaxrs.resources.ServersResource;
import dev.magi.jaxrs.resources.UnknownPathResource;
import dev.magi.jaxrs.resources.WebUiResource;
import dev.magi.jaxrs.security.ApiKeyFilter;
import dev.magi.jaxrs.security.BodySizeLimitFilter;
import dev.magi.jaxrs.security.GatewayRequestGuard;
import dev.magi.jaxrs.security.HostOriginFilter;
import dev.magi.jaxrs.security.HostOriginPolicy;
import dev.magi.jaxrs.security.OptionsAsJsonFilter;
import dev.magi.jaxrs.streams.EventStreams;
import org.glassfish.jersey.internal.inject.AbstractBinder;
import org.glassfish.jersey.jackson.JacksonFeature;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.server.ServerProperties;

/**
 * The whole MAGI API in one call: a host application adds it to its own Jersey with
 * {@code MagiJaxrs.register(resourceConfig, engine)}; the standalone and the WAR do the same.
 */
public final class MagiJaxrs {

    private MagiJaxrs() {
    }

    /** Registers every MAGI resource, provider and filter on {@code config}, serving {@code engine}. */
    public static ResourceConfig register(ResourceConfig config, MagiEngine engine) {
        // Jackson without Jersey's own mappers, whose bare answers would bypass the API's error shape.
        config.register(JacksonFeature.withoutExceptionMappers());
        config.register(ObjectMapperResolver.class);
        config.register(MagiExceptionMapper.class);
        config.register(WebApplicationExceptionMapper.class);
        config.register(JsonExceptionMapper.class);
        config.register(UnexpectedExceptionMapper.class);
        config.register(BodySizeLimitFilter.class);
        config.register(OptionsAsJsonFilter.class);
        config.register(new HostOriginFilter(HostOriginPolicy.of(engine.config())));
        if (engine.config().apiKey() != null) {
            config.register(new ApiKeyFilter(engine.config().apiKey()));
        }
        // One set of event streams per API, shared by its stream resources; MAGI's shutdown ends them.
        EventStreams streams = new EventStreams(engine.config().maxEventStreams());
        engine.events().onClose(streams::close);
        GatewayMeters meters = new GatewayMeters(engine.gateway());
        meters.memory(() -> engine.gateway().memory().budgetBytes(), () -> engine.gateway().memory().reservedBytes());
        engine.events().onClose(meters::close);
        // Resources are classes with the engine injected, as Jersey expects; registering instances of
        // non-provider classes makes Jersey warn that it ignores them as providers.
        config.register(new AbstractBinder() {
            @Override
            protected void configure() {
                bind(engine).to(MagiEngine.class);
                bind(streams).to(EventStreams.class);
                bind(meters).to(GatewayMeters.class);
            }
        });
        config.register(ModelsResource.class);
        config.register(ProfilesResource.class);
        config.register(ServersResource.class);
        config.register(EventsResource.class);
        config.register(ReadinessResource.class);
        config.register(HealthResource.class);
        config.register(WebUiResource.class);
        config.register(MetricsResource.class);
        config.register(GatewayRequestsResource.class);
        config.register(UnknownPathResource.class);
        config.register(GatewayExceptionMapper.class);
        if (engine.config().gateway()) {
            config.register(OpenAiResource.class);
            config.register(ModelListResource.class);
        }
        // In a servlet container, sendError() would replace the JSON error body with the container's page.
        config.property(ServerProperties.RESPONSE_SET_STATUS_OVER_SEND_ERROR, true);
        config.property(ServerProperties.WADL_FEATURE_DISABLE, true);
        return config;
    }

    /**
     * The gateway's inference and {@code /upstream} paths, served apart from Jersey; the host mounts it
     * at {@link GatewayServlet#PATHS} with asynchronous requests on, beside Jersey at {@code /*} (exact
     * paths win over {@code /*} in every container). With {@code --gateway false}, nothing is mounted.
     */
    public static GatewayServlet gatewayServlet(MagiEngine engine) {
        return gatewayServlet(engine, ClientWatch.NONE);
    }

    /**
     * As {@link #gatewayServlet(MagiEngine)}, told by {@code watch} of clients that close their
     * connection while their request waits for a slot (the standalone's Jetty can tell).
     */
    public static GatewayServlet gatewayServlet(MagiEngine engine, ClientWatch watch) {
        return new GatewayServlet(engine, new GatewayRequestGuard(HostOriginPolicy.of(engine.config()),
                engine.config().apiKey()), watch);
    }

    /** A new Jersey application holding only the MAGI API. */
    public static ResourceConfig application(MagiEngine engine) {
        return register(new ResourceConfig(), engine);
    }
}
