package dev.magi.war;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("The WAR file")
class WarContentsIT {
    private static final Pattern CLIENT_LIBRARIES = Pattern.compile(
            "jetty-(client|http|io|util|alpn-client|compression-common|compression-gzip)-[0-9].*\\.jar");


    @Test
    @DisplayName("holds MAGI and Jersey but no servlet API, Jetty or Tomcat: the container provides those")
    void libraries() throws Exception {
        List<String> libraries;
        try (ZipFile war = new ZipFile(DeployedWar.war().toFile())) {
            libraries = war.stream().map(ZipEntry::getName).filter(name -> name.startsWith("WEB-INF/lib/"))
                    .map(name -> name.substring("WEB-INF/lib/".length())).toList();
        }
        assertThat(libraries).anyMatch(jar -> jar.startsWith("magi-jaxrs-"))
                .anyMatch(jar -> jar.startsWith("jersey-container-servlet-core-"))
                // The WebUI's chart library, served by magi-jaxrs from this jar.
                .anyMatch(jar -> jar.startsWith("uplot-"))
                .noneMatch(jar -> jar.contains("servlet-api"))
                // The gateway's HTTP client and the libraries it needs, but nothing of a container.
                .anyMatch(jar -> jar.startsWith("jetty-client-"))
                .noneMatch(jar -> jar.startsWith("jetty-") && !CLIENT_LIBRARIES.matcher(jar).matches())
                .noneMatch(jar -> jar.startsWith("tomcat-"));
    }

    @Test
    @DisplayName("is what the deployments run on: the tests' own class path has no Jersey and no MAGI API")
    void testsDoNotLeakIntoTheWebapp() {
        assertThatThrownBy(() -> Class.forName("org.glassfish.jersey.servlet.ServletContainer"))
                .isInstanceOf(ClassNotFoundException.class);
        assertThatThrownBy(() -> Class.forName("dev.magi.jaxrs.MagiJaxrs"))
                .isInstanceOf(ClassNotFoundException.class);
        assertThatThrownBy(() -> Class.forName("dev.magi.war.MagiWebListener"))
                .isInstanceOf(ClassNotFoundException.class);
    }
}
