package dev.magi.war;

import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ContextHandlerCollection;
import org.junit.jupiter.api.DisplayName;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("The WAR on Jetty 12 ee10")
class JettyDeploymentIT extends DeployedWar {
    private Server server;
    private ContextHandlerCollection contexts;
    private WebAppContext webapp;

    @Override
    URI deploy(Path war, Map<String, String> contextParameters, Path workDir) throws Exception {
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        contexts = new ContextHandlerCollection();
        server.setHandler(contexts);

        webapp = webapp(war, CONTEXT_PATH, contextParameters, workDir);
        contexts.addHandler(webapp);
        server.start();
        assertThat(webapp.isAvailable()).as("the WAR's deployment").isTrue();
        return URI.create("http://127.0.0.1:" + connector.getLocalPort() + "/");
    }

    @Override
    void deployAnother(Path war, String contextPath, Map<String, String> contextParameters, Path workDir)
            throws Exception {
        WebAppContext another = webapp(war, contextPath, contextParameters, workDir);
        contexts.addHandler(another);
        // A handler added to a running collection is not started for it.
        another.start();
        assertThat(another.isAvailable()).as("the second deployment").isTrue();
    }

    private static WebAppContext webapp(Path war, String contextPath, Map<String, String> contextParameters,
                                        Path workDir) throws IOException {
        WebAppContext context = new WebAppContext();
        context.setContextPath(contextPath);
        context.setWar(war.toAbsolutePath().toString());
        context.setTempDirectory(Files.createDirectories(workDir.resolve("jetty")).toFile());
        // The servlet rule: the WAR's own WEB-INF first (Jetty's default, said out loud).
        context.setParentLoaderPriority(false);
        context.setThrowUnavailableOnStartupException(true);
        contextParameters.forEach(context::setInitParameter);
        return context;
    }

    @Override
    void undeploy() throws Exception {
        webapp.stop();
        contexts.removeHandler(webapp);
    }

    @Override
    void stopContainer() throws Exception {
        if (server != null) {
            server.stop();
        }
    }
}
