package dev.magi.core.store.file;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.magi.core.json.RegistryJson;
import dev.magi.core.json.RegistryJsonCache;
import dev.magi.spi.RegistrySnapshot;
import org.yaml.snakeyaml.LoaderOptions;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Both file formats through Jackson, so that one writer ({@link RegistryJson#writeRegistry}) and one
 * reader ({@link RegistryJson#readRegistry}) serve JSON and YAML alike and the two files cannot drift
 * apart in content or shape. A JSON format keeps the bytes of its last save, so each store that
 * uses one gets its own: a change re-encodes only the models it replaced.
 */
final class JacksonRegistryFormat implements RegistryFormat {

    private static final ObjectMapper JSON_MAPPER = RegistryJson.newMapper();

    static final RegistryFormat YAML = new JacksonRegistryFormat("YAML", yamlMapper(), "...\n", null);

    private final String name;
    private final ObjectMapper mapper;
    /** Written after the document and required on reading; null when the format needs none. */
    private final byte[] trailer;
    /** The compact JSON of the last save, for JSON only; null for other formats. */
    private final RegistryJsonCache compact;

    private JacksonRegistryFormat(String name, ObjectMapper mapper, String trailer, RegistryJsonCache compact) {
        this.name = name;
        this.mapper = mapper;
        this.trailer = trailer == null ? null : trailer.getBytes(StandardCharsets.UTF_8);
        this.compact = compact;
    }

    /** A JSON format with bytes of its own, for one store. */
    static RegistryFormat json() {
        return new JacksonRegistryFormat("JSON", JSON_MAPPER, null, new RegistryJsonCache());
    }

    private static ObjectMapper yamlMapper() {
        // The registry is MAGI's own file, but it may hold 10,000 models: SnakeYAML's default cap of
        // 3 MB of text would reject a large registry, so it is raised. (Jackson reads YAML events, never
        // building objects from tags, and does not expand aliases, so no other limit is needed.)
        LoaderOptions loader = new LoaderOptions();
        loader.setCodePointLimit(Integer.MAX_VALUE);
        YAMLFactory factory = YAMLFactory.builder()
                .loaderOptions(loader)
                // Long paths stay on one line, and every string is quoted (the default), so that no
                // value such as "no", "null" or "1e3" can come back as another type.
                .disable(YAMLGenerator.Feature.SPLIT_LINES)
                .disable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                .build();
        return new YAMLMapper(factory).registerModule(RegistryJson.module());
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public JsonNode read(InputStream in) throws IOException {
        if (trailer == null) {
            return mapper.readTree(in);
        }
        byte[] bytes = in.readAllBytes();
        if (bytes.length < trailer.length
                || !Arrays.equals(bytes, bytes.length - trailer.length, bytes.length, trailer, 0, trailer.length)) {
            throw new IOException("the file is incomplete: it does not end with the '"
                    + new String(trailer, StandardCharsets.UTF_8).strip() + "' marker");
        }
        return mapper.readTree(new ByteArrayInputStream(bytes));
    }

    @Override
    public void write(RegistrySnapshot registry, OutputStream out) throws IOException {
        if (compact != null) {
            // Compact, the same document the API answers GET /registry with: a change re-encodes
            // only the models it replaced, and a 1,000-model registry writes a third fewer bytes than
            // pretty-printed.
            out.write(compact.bytes(registry));
            return;
        }
        try (JsonGenerator gen = mapper.getFactory().createGenerator(out)) {
            // The caller owns the stream, and the trailer still has to go after the document.
            gen.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            RegistryJson.writeRegistry(registry, gen);
        }
        if (trailer != null) {
            out.write(trailer);
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
