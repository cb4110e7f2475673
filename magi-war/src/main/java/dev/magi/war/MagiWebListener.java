package dev.magi.war;

import dev.magi.core.config.MagiConfig;
import dev.magi.core.engine.MagiEngine;
import dev.magi.jaxrs.MagiJaxrs;
import dev.magi.jaxrs.gateway.GatewayServlet;
import dev.magi.spi.MagiException;
import dev.magi.spi.Settings;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.ServletRegistration;
import org.glassfish.jersey.servlet.ServletContainer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MAGI inside a servlet container: on deployment, builds the engine from the context parameters
 * (named as the environment variables, such as {@code MODEL_SCAN_PATH}), then the environment, then
 * the defaults, and serves its API at {@code /*} of the context through Jersey's servlet; on
 * undeployment, closes the engine. When MAGI cannot start (a bad setting), the context answers every
 * request with 503 {@code ServiceUnavailable} and the reason.
 *
 * <p>Declared in {@code web.xml} rather than found by annotation scanning, so that the WAR deploys the
 * same way in every container and needs no scanning at all.
 */
public final class MagiWebListener implements ServletContextListener {
    /** The context attribute holding the running {@link MagiEngine}. */
    public static final String ENGINE_ATTRIBUTE = MagiEngine.class.getName();

    private static final Logger LOG = LoggerFactory.getLogger(MagiWebListener.class);

    private MagiEngine engine;

    @Override
    public void contextInitialized(ServletContextEvent event) {
        ServletContext context = event.getServletContext();
        try {
            engine = MagiEngine.builder().fallback(settings(context)).build();
        } catch (MagiException e) {
            // The WAR stays deployed and says why on every request (503 ServiceUnavailable), as well
            // as in the log: a failed deployment shows only in the container's log and manager.
            LOG.error("MAGI cannot start: {}", e.getMessage());
            ServletRegistration.Dynamic notStarted = context.addServlet("magi-not-started", new NotStartedServlet(e));
            notStarted.addMapping("/*");
            return;
        }
        ServletRegistration.Dynamic api = context.addServlet("magi-api",
                new ServletContainer(MagiJaxrs.application(engine)));
        api.addMapping("/*");
        api.setLoadOnStartup(1);
        // Server-sent events (the log stream, /events) need asynchronous requests.
        api.setAsyncSupported(true);
        if (engine.config().gateway()) {
            // The gateway's byte-moving paths, apart from Jersey: exact paths win over /*.
            ServletRegistration.Dynamic gateway = context.addServlet("magi-gateway",
                    MagiJaxrs.gatewayServlet(engine));
            gateway.addMapping(GatewayServlet.PATHS.toArray(String[]::new));
            gateway.setAsyncSupported(true);
        }
        context.setAttribute(ENGINE_ATTRIBUTE, engine);
        LOG.info("MAGI deployed at context path '{}'", context.getContextPath());
    }

    @Override
    public void contextDestroyed(ServletContextEvent event) {
        event.getServletContext().removeAttribute(ENGINE_ATTRIBUTE);
        if (engine != null) {
            engine.close();
            engine = null;
        }
        LOG.info("MAGI undeployed");
    }

    /** Context parameters first, then the environment: the WAR's counterpart of flags over variables. */
    static Settings settings(ServletContext context) {
        Settings parameters = context::getInitParameter;
        return parameters.orElse(MagiConfig.environment());
    }
}
