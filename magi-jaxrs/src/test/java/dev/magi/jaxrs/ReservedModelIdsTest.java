package dev.magi.jaxrs;

import dev.magi.core.config.ConfigKey;
import dev.magi.core.discovery.ModelIds;
import dev.magi.core.engine.MagiEngine;
import jakarta.ws.rs.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.lang.reflect.Method;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Model ids")
class ReservedModelIdsTest {
    private static final String MODELS = "api/models";

    @TempDir
    File dir;

    @Test
    @DisplayName("reserve every fixed first path segment under /api/models, so no model id is shadowed by a route")
    void everyFixedSegmentIsReserved() {
        Set<String> fixed = new TreeSet<>();
        try (MagiEngine engine = MagiEngine.builder().withoutEnvironment()
                .set(ConfigKey.SCAN_PATH, dir.toPath().resolve("models").toString())
                .set(ConfigKey.REGISTRY_PATH, dir.toPath().resolve("data/model_registry.json").toString())
                .set(ConfigKey.PROFILES_PATH, dir.toPath().resolve("profiles").toString())
                .set(ConfigKey.WATCH, "false").build()) {
            for (Class<?> type : MagiJaxrs.application(engine).getClasses()) {
                Path root = type.getAnnotation(Path.class);
                if (root == null) {
                    continue;
                }
                String base = strip(root.value());
                if (base.startsWith(MODELS + "/")) {
                    addFirstSegment(fixed, base.substring(MODELS.length() + 1));
                } else if (base.equals(MODELS)) {
                    for (Method method : type.getMethods()) {
                        Path sub = method.getAnnotation(Path.class);
                        if (sub != null) {
                            addFirstSegment(fixed, strip(sub.value()));
                        }
                    }
                }
            }
        }

        assertThat(fixed).contains("registry", "servers", "profiles", "events", "health");
        assertThat(ModelIds.RESERVED).containsAll(fixed);
    }

    private static String strip(String path) {
        String p = path.startsWith("/") ? path.substring(1) : path;
        return p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    }

    private static void addFirstSegment(Set<String> fixed, String path) {
        String first = path.split("/", 2)[0];
        if (!first.isEmpty() && !first.startsWith("{")) {
            fixed.add(first);
        }
    }
}
