package dev.magi.core.json;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import dev.magi.core.memory.ModelMemory;
import dev.magi.spi.DiscoveredModel;
import dev.magi.spi.MetadataSource;
import dev.magi.spi.ModelProfile;
import dev.magi.spi.PortRange;
import dev.magi.spi.Problem;
import dev.magi.spi.RegistrySnapshot;
import dev.magi.spi.Tier;
import dev.magi.spi.TierThresholds;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON form of models and of the registry (docs/registry.md), written by hand so that every field
 * is always present, in the contract's order and spelling, whatever Jackson's defaults are. The file
 * stores and the HTTP API both use it, so the registry on disk and on the wire are the same document.
 * Its compact bytes are kept by each of their owners in a {@link RegistryJsonCache}.
 */
public final class RegistryJson {

    private RegistryJson() {
    }

    /** A Jackson module that writes models, the registry and profiles in the contract's form. */
    public static SimpleModule module() {
        SimpleModule module = new SimpleModule("magi-registry");
        module.addSerializer(DiscoveredModel.class, new JsonSerializer<>() {
            @Override
            public void serialize(DiscoveredModel model, JsonGenerator gen, SerializerProvider provider)
                    throws IOException {
                writeModel(model, gen);
            }
        });
        module.addSerializer(RegistrySnapshot.class, new JsonSerializer<>() {
            @Override
            public void serialize(RegistrySnapshot registry, JsonGenerator gen, SerializerProvider provider)
                    throws IOException {
                writeRegistry(registry, gen);
            }
        });
        module.addSerializer(ModelProfile.class, new JsonSerializer<>() {
            @Override
            public void serialize(ModelProfile profile, JsonGenerator gen, SerializerProvider provider)
                    throws IOException {
                writeProfile(profile, gen);
            }
        });
        module.addSerializer(Tier.class, new JsonSerializer<>() {
            @Override
            public void serialize(Tier tier, JsonGenerator gen, SerializerProvider provider) throws IOException {
                gen.writeString(tier.wireName());
            }
        });
        return module;
    }

    /** A mapper with {@link #module()} installed. */
    public static ObjectMapper newMapper() {
        return JsonMapper.builder().addModule(module()).build();
    }

    public static void writeRegistry(RegistrySnapshot registry, JsonGenerator gen) throws IOException {
        gen.writeStartObject();
        gen.writeObjectFieldStart("models");
        for (Map.Entry<String, DiscoveredModel> entry : registry.models().entrySet()) {
            gen.writeFieldName(entry.getKey());
            writeModel(entry.getValue(), gen);
        }
        gen.writeEndObject();
        writeRegistryFields(registry, gen);
        gen.writeEndObject();
    }

    static void writeRegistryFields(RegistrySnapshot registry, JsonGenerator gen) throws IOException {
        gen.writeStringField("scanPath", registry.scanPath());
        gen.writeStringField("lastScan", registry.lastScan() == null ? null : registry.lastScan().toString());
        gen.writeArrayFieldStart("portRange");
        gen.writeNumber(registry.portRange().start());
        gen.writeNumber(registry.portRange().end());
        gen.writeEndArray();
        gen.writeObjectFieldStart("tierThresholds");
        writeNumber(gen, "powerful_min", registry.tierThresholds().powerfulMin());
        writeNumber(gen, "fast_max", registry.tierThresholds().fastMax());
        gen.writeEndObject();
    }

    public static void writeModel(DiscoveredModel m, JsonGenerator gen) throws IOException {
        gen.writeStartObject();
        gen.writeStringField("modelId", m.modelId());
        gen.writeStringField("filePath", m.filePath());
        gen.writeStringField("filename", m.filename());
        gen.writeArrayFieldStart("parts");
        for (String part : m.parts()) {
            gen.writeString(part);
        }
        gen.writeEndArray();
        gen.writeNumberField("fileSizeBytes", m.fileSizeBytes());
        gen.writeStringField("family", m.family());
        gen.writeStringField("version", m.version());
        writeNumber(gen, "sizeParams", m.sizeParams());
        gen.writeStringField("sizeLabel", m.sizeLabel());
        writeNumber(gen, "parameterCount", m.parameterCount());
        gen.writeStringField("quantization", m.quantization());
        gen.writeStringField("architecture", m.architecture());
        writeNumber(gen, "contextLength", m.contextLength());
        writeNumber(gen, "tensorBytes", m.tensorBytes());
        writeNumber(gen, "kvBytesPerToken", m.kvBytesPerToken());
        gen.writeBooleanField("isThinkingModel", m.isThinkingModel());
        writeBoolean(gen, "thinkingOverride", m.thinkingOverride());
        gen.writeBooleanField("isInstruct", m.isInstruct());
        gen.writeBooleanField("isCoder", m.isCoder());
        gen.writeStringField("assignedTier", m.assignedTier().wireName());
        gen.writeStringField("tierOverride", m.tierOverride() == null ? null : m.tierOverride().wireName());
        gen.writeStringField("effectiveTier", m.effectiveTier().wireName());
        writeNumber(gen, "port", m.port());
        gen.writeBooleanField("portPinned", m.portPinned());
        gen.writeBooleanField("enabled", m.enabled());
        writeNumber(gen, "nGpuLayers", m.nGpuLayers());
        writeNumber(gen, "ctxSize", m.ctxSize());
        writeNumber(gen, "nThreads", m.nThreads());
        writeNumber(gen, "batchSize", m.batchSize());
        gen.writeArrayFieldStart("extraArgs");
        for (String arg : m.extraArgs()) {
            gen.writeString(arg);
        }
        gen.writeEndArray();
        gen.writeObjectFieldStart("env");
        for (Map.Entry<String, String> variable : m.env().entrySet()) {
            gen.writeStringField(variable.getKey(), variable.getValue());
        }
        gen.writeEndObject();
        gen.writeArrayFieldStart("aliases");
        for (String alias : m.aliases()) {
            gen.writeString(alias);
        }
        gen.writeEndArray();
        writeNumber(gen, "ttlSeconds", m.ttlSeconds());
        gen.writeStringField("mmprojPath", m.mmprojPath());
        writeNumber(gen, "mmprojSizeBytes", m.mmprojSizeBytes());
        gen.writeStringField("metadataSource", m.metadataSource().wireName());
        gen.writeStringField("displayName", m.displayName());
        gen.writeArrayFieldStart("problems");
        for (Problem problem : m.problems()) {
            gen.writeString(problem.message());
        }
        gen.writeEndArray();
        // Derived, not read back: it follows the facts above and the current ctxSize.
        writeNumber(gen, "estimatedMemoryBytes", ModelMemory.estimate(m));
        writeNumber(gen, "gpus", m.gpus());
        writeNumber(gen, "cpus", m.cpus());
        gen.writeEndObject();
    }

    /** A profile in the contract's camelCase form; an unbounded {@code maxScore} is null. */
    public static void writeProfile(ModelProfile p, JsonGenerator gen) throws IOException {
        gen.writeStartObject();
        gen.writeStringField("name", p.name());
        gen.writeStringField("description", p.description());
        gen.writeArrayFieldStart("enabledModels");
        for (String id : p.enabledModels()) {
            gen.writeString(id);
        }
        gen.writeEndArray();
        gen.writeArrayFieldStart("tierConfig");
        for (ModelProfile.TierConfig tier : p.tierConfig()) {
            gen.writeStartObject();
            gen.writeStringField("name", tier.name().wireName());
            writeNumber(gen, "maxScore", tier.maxScore());
            gen.writeNumberField("expectedTimeSeconds", tier.expectedTimeSeconds());
            gen.writeEndObject();
        }
        gen.writeEndArray();
        gen.writeObjectFieldStart("twoStage");
        gen.writeBooleanField("enabled", p.twoStage().enabled());
        gen.writeStringField("stage1Tier", p.twoStage().stage1Tier().wireName());
        gen.writeStringField("stage2Tier", p.twoStage().stage2Tier().wireName());
        gen.writeNumberField("stage1MaxTokens", p.twoStage().stage1MaxTokens());
        gen.writeEndObject();
        gen.writeObjectFieldStart("loadBalancing");
        gen.writeBooleanField("enabled", p.loadBalancing().enabled());
        gen.writeStringField("strategy", p.loadBalancing().strategy().wireName());
        gen.writeNumberField("healthCheckInterval", p.loadBalancing().healthCheckInterval());
        gen.writeEndObject();
        gen.writeEndObject();
    }

    /**
     * Reads a registry written by {@link #writeRegistry}. Unknown fields are ignored so that an
     * older MAGI can read a newer file; a wrong shape is an {@link IllegalArgumentException}.
     */
    public static RegistrySnapshot readRegistry(JsonNode root) {
        require(root.isObject(), "the registry is not a JSON object");
        Map<String, DiscoveredModel> models = new LinkedHashMap<>();
        JsonNode modelsNode = root.path("models");
        require(modelsNode.isObject() || modelsNode.isMissingNode(), "'models' is not an object");
        var fields = modelsNode.fields();
        while (fields.hasNext()) {
            var entry = fields.next();
            DiscoveredModel model = readModel(entry.getValue());
            models.put(entry.getKey(), model);
        }
        PortRange portRange = PortRange.DEFAULT;
        JsonNode range = root.path("portRange");
        if (range.isArray() && range.size() == 2) {
            portRange = new PortRange(range.get(0).asInt(), range.get(1).asInt());
        }
        TierThresholds thresholds = TierThresholds.DEFAULT;
        JsonNode t = root.path("tierThresholds");
        if (t.isObject()) {
            thresholds = new TierThresholds(t.path("powerful_min").asDouble(TierThresholds.DEFAULT.powerfulMin()),
                    t.path("fast_max").asDouble(TierThresholds.DEFAULT.fastMax()));
        }
        String lastScan = text(root, "lastScan");
        return new RegistrySnapshot(models, text(root, "scanPath"),
                lastScan == null ? null : Instant.parse(lastScan), portRange, thresholds);
    }

    public static DiscoveredModel readModel(JsonNode n) {
        require(n.isObject(), "a model is not a JSON object");
        String modelId = text(n, "modelId");
        String filePath = text(n, "filePath");
        require(modelId != null && filePath != null, "a model lacks modelId or filePath");
        List<String> parts = new ArrayList<>();
        n.path("parts").forEach(p -> parts.add(p.asText()));
        List<Problem> problems = new ArrayList<>();
        n.path("problems").forEach(p -> problems.add(Problem.parse(p.asText())));
        // Absent in registries written before these settings existed: read as none.
        List<String> aliases = new ArrayList<>();
        n.path("aliases").forEach(a -> aliases.add(a.asText()));
        List<String> extraArgs = new ArrayList<>();
        n.path("extraArgs").forEach(a -> extraArgs.add(a.asText()));
        Map<String, String> env = new LinkedHashMap<>();
        n.path("env").fields().forEachRemaining(v -> env.put(v.getKey(), v.getValue().asText()));
        String filename = text(n, "filename");
        String source = text(n, "metadataSource");
        String assigned = text(n, "assignedTier");
        String override = text(n, "tierOverride");
        return DiscoveredModel.builder(modelId, filePath, filename == null ? filePath : filename)
                .parts(parts.isEmpty() ? null : parts)
                .fileSizeBytes(n.path("fileSizeBytes").asLong())
                .family(text(n, "family"))
                .version(text(n, "version"))
                .sizeParams(n.hasNonNull("sizeParams") ? n.get("sizeParams").asDouble() : null)
                .sizeLabel(text(n, "sizeLabel"))
                .parameterCount(n.hasNonNull("parameterCount") ? n.get("parameterCount").asLong() : null)
                .quantization(text(n, "quantization"))
                .architecture(text(n, "architecture"))
                .contextLength(n.hasNonNull("contextLength") ? n.get("contextLength").asLong() : null)
                .tensorBytes(longValue(n, "tensorBytes"))
                .kvBytesPerToken(longValue(n, "kvBytesPerToken"))
                .isThinkingModel(n.path("isThinkingModel").asBoolean())
                .thinkingOverride(n.hasNonNull("thinkingOverride") ? n.get("thinkingOverride").asBoolean() : null)
                .isInstruct(n.path("isInstruct").asBoolean())
                .isCoder(n.path("isCoder").asBoolean())
                .assignedTier(assigned == null ? null : Tier.parse(assigned))
                .tierOverride(override == null ? null : Tier.parse(override))
                .port(integer(n, "port"))
                .portPinned(n.path("portPinned").asBoolean())
                .enabled(n.path("enabled").asBoolean())
                .nGpuLayers(integer(n, "nGpuLayers"))
                .ctxSize(integer(n, "ctxSize"))
                .nThreads(integer(n, "nThreads"))
                .batchSize(integer(n, "batchSize"))
                .extraArgs(extraArgs)
                .env(env)
                .aliases(aliases)
                .ttlSeconds(integer(n, "ttlSeconds"))
                .gpus(integer(n, "gpus"))
                .cpus(integer(n, "cpus"))
                .mmprojPath(text(n, "mmprojPath"))
                .mmprojSizeBytes(longValue(n, "mmprojSizeBytes"))
                .metadataSource(source == null ? null : MetadataSource.parse(source))
                .displayName(text(n, "displayName"))
                .problems(problems)
                .build();
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    private static Long longValue(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || !value.canConvertToLong() ? null : value.asLong();
    }

    private static Integer integer(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asInt();
    }

    private static void writeNumber(JsonGenerator gen, String field, Number value) throws IOException {
        gen.writeFieldName(field);
        if (value == null) {
            gen.writeNull();
        } else if (value instanceof Double || value instanceof Float) {
            double d = value.doubleValue();
            // Whole numbers are written without a fraction (14, not 14.0), as the seed's examples show.
            if (d == Math.rint(d) && Math.abs(d) < 1e15) {
                gen.writeNumber((long) d);
            } else {
                gen.writeNumber(d);
            }
        } else {
            gen.writeNumber(value.longValue());
        }
    }

    private static void writeBoolean(JsonGenerator gen, String field, Boolean value) throws IOException {
        gen.writeFieldName(field);
        if (value == null) {
            gen.writeNull();
        } else {
            gen.writeBoolean(value);
        }
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
