package dev.magi.jaxrs.resources;

import dev.magi.spi.ErrorCode;
import dev.magi.spi.MagiException;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.CacheControl;
import jakarta.ws.rs.core.Response;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The WebUI: static files shipped inside the jar and served at the application's root, so the
 * standalone, the WAR (under its context path) and an embedding host all serve the same page.
 * Only the page's own files are served: names are checked against a pattern before any lookup.
 * The libraries the page uses come from WebJars on the class path, under {@code vendor/} (see
 * {@link WebJarFiles}), so they ship in the same jar set everywhere too, with no other mechanism.
 */
@Path("/")
public final class WebUiResource {
    private static final String ROOT = "/dev/magi/webui/";
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8");

    @GET
    public Response index() {
        return file("index.html");
    }

    @GET
    @Path("{file: [A-Za-z0-9_-]+\\.(html|js|css)}")
    public Response file(@PathParam("file") String file) {
        byte[] content = read(file);
        if (content == null) {
            throw new MagiException(ErrorCode.NOT_FOUND, "No resource at /" + file, Map.of("path", "/" + file));
        }
        return served(file, content);
    }

    @GET
    @Path("vendor/{file: [A-Za-z0-9_.-]+\\.(js|css)}")
    public Response vendorFile(@PathParam("file") String file) {
        byte[] content = WebJarFiles.read(file).orElseThrow(() -> new MagiException(ErrorCode.NOT_FOUND,
                "No resource at /vendor/" + file, Map.of("path", "/vendor/" + file)));
        return served(file, content);
    }

    private static Response served(String file, byte[] content) {
        CacheControl revalidate = new CacheControl();
        revalidate.setNoCache(true);
        String extension = file.substring(file.lastIndexOf('.') + 1);
        return Response.ok(content, TYPES.get(extension)).cacheControl(revalidate)
                .header("X-Content-Type-Options", "nosniff")
                // No other site may frame the page, where a click on it could be steered (clickjacking).
                .header("X-Frame-Options", "DENY")
                .header("Content-Security-Policy", "frame-ancestors 'none'")
                .build();
    }

    private static byte[] read(String file) {
        try (InputStream in = WebUiResource.class.getResourceAsStream(ROOT + file)) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
