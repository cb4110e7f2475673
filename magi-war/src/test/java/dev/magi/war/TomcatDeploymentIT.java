package dev.magi.war;

import org.apache.catalina.Context;
import org.apache.catalina.LifecycleState;
import org.apache.catalina.core.StandardContext;
import org.apache.catalina.startup.Constants;
import org.apache.catalina.startup.ContextConfig;
import org.apache.catalina.startup.Tomcat;
import org.junit.jupiter.api.DisplayName;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("The WAR on Tomcat 10.1")
class TomcatDeploymentIT extends DeployedWar {
    private Tomcat tomcat;
    private Context context;

    @Override
    URI deploy(Path war, Map<String, String> contextParameters, Path workDir) throws Exception {
        tomcat = new Tomcat();
        tomcat.setBaseDir(workDir.toString());
        tomcat.setHostname("127.0.0.1");
        tomcat.setPort(0);
        tomcat.getConnector().setProperty("address", "127.0.0.1");
        Path appBase = Files.createDirectories(workDir.resolve("webapps"));
        tomcat.getHost().setAppBase(appBase.toString());
        // Only what the WAR declares: no default servlet, no JSP servlet.
        tomcat.setAddDefaultWebXmlToWebapp(false);
        context = tomcat.addWebapp(CONTEXT_PATH, war.toAbsolutePath().toString());
        contextParameters.forEach(context::addParameter);
        tomcat.start();
        assertThat(context.getState()).as("the WAR's deployment").isEqualTo(LifecycleState.STARTED);
        return URI.create("http://127.0.0.1:" + tomcat.getConnector().getLocalPort() + "/");
    }

    @Override
    void deployAnother(Path war, String contextPath, Map<String, String> contextParameters, Path workDir) {
        // As addWebapp does, but with the parameters set before the host starts the context.
        StandardContext another = new StandardContext();
        another.setName(contextPath);
        another.setPath(contextPath);
        another.setDocBase(war.toAbsolutePath().toString());
        ContextConfig config = new ContextConfig();
        config.setDefaultWebXml(Constants.NoDefaultWebXml);
        another.addLifecycleListener(config);
        contextParameters.forEach(another::addParameter);
        tomcat.getHost().addChild(another);
        assertThat(another.getState()).as("the second deployment").isEqualTo(LifecycleState.STARTED);
    }

    @Override
    void undeploy() {
        tomcat.getHost().removeChild(context);
    }

    @Override
    void stopContainer() throws Exception {
        if (tomcat != null) {
            tomcat.stop();
            tomcat.destroy();
        }
    }
}
