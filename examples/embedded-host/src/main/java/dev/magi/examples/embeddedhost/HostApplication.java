package dev.magi.examples.embeddedhost;

import dev.magi.core.engine.MagiEngine;
import dev.magi.jaxrs.MagiJaxrs;
import org.glassfish.jersey.server.ResourceConfig;

/**
 * The host's one Jersey application: its own resources, plus the MAGI API added with one call. The
 * same class would serve a WAR's servlet as well as the embedded server of {@link EmbeddedHost}.
 */
public class HostApplication extends ResourceConfig {

    public HostApplication(MagiEngine engine) {
        register(HelloResource.class);
        MagiJaxrs.register(this, engine);
    }
}
