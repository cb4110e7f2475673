package dev.magi.jaxrs.resources;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * The few files of the WebJars the WebUI uses, by the name the page asks for. A WebJar's version is
 * read from the jar itself (its Maven {@code pom.properties}), so the version pinned in the build is
 * the only one to change; and only the files listed here are served, whatever else the jars hold.
 */
final class WebJarFiles {
    /** The name the page uses, and the WebJar and the path inside it that the name stands for. */
    private static final Map<String, WebJarFile> FILES = Map.of(
            "uPlot.esm.js", new WebJarFile("org.webjars.npm", "uplot", "dist/uPlot.esm.js"),
            "uPlot.min.css", new WebJarFile("org.webjars.npm", "uplot", "dist/uPlot.min.css"));

    private WebJarFiles() {
    }

    /** The content of the file the page calls {@code name}; empty when it is not one of the listed files. */
    static Optional<byte[]> read(String name) {
        WebJarFile file = FILES.get(name);
        return file == null ? Optional.empty() : file.version().map(version -> resource(
                "/META-INF/resources/webjars/" + file.artifactId() + "/" + version + "/" + file.path()));
    }

    private record WebJarFile(String groupId, String artifactId, String path) {
        /** The version of the WebJar on the class path; empty when it is not there. */
        Optional<String> version() {
            String properties = "/META-INF/maven/" + groupId + "/" + artifactId + "/pom.properties";
            try (InputStream in = WebJarFiles.class.getResourceAsStream(properties)) {
                if (in == null) {
                    return Optional.empty();
                }
                Properties maven = new Properties();
                maven.load(in);
                return Optional.ofNullable(maven.getProperty("version"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static byte[] resource(String path) {
        try (InputStream in = WebJarFiles.class.getResourceAsStream(path)) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
