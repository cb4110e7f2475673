package dev.magi.examples.store;

import dev.magi.examples.store.PropertiesRegistryStore.Contents;
import dev.magi.spi.DiscoveredModel;
import dev.magi.spi.MetadataSource;
import dev.magi.spi.ModelProfile;
import dev.magi.spi.ModelProfile.LoadBalancing;
import dev.magi.spi.ModelProfile.Strategy;
import dev.magi.spi.ModelProfile.TierConfig;
import dev.magi.spi.ModelProfile.TwoStage;
import dev.magi.spi.PortRange;
import dev.magi.spi.Problem;
import dev.magi.spi.RegistrySnapshot;
import dev.magi.spi.Tier;
import dev.magi.spi.TierThresholds;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The store's data as flat keys. Lists are numbered from 0 under their key, which holds their size
 * ({@code model.3.parts=2}, {@code model.3.parts.0=...}), so the registry keeps its order; a value that
 * is null is a key left out, so null and empty text stay apart.
 *
 * <pre>
 * format=1
 * registry.scanPath=/models              (registry.* only when a registry was saved)
 * registry.models=2
 * model.0.modelId=qwen3-4b-q4_k_m        (one model.N.FIELD per field of DiscoveredModel)
 * profiles=1
 * profile.0.name=coding                  (one profile.N.FIELD per field of ModelProfile)
 * active=coding
 * </pre>
 */
final class PropertiesCodec {
    static final String FORMAT = "1";

    private PropertiesCodec() {
    }

    // ---------------------------------------------------------------- writing

    static Properties encode(Contents contents) {
        Properties p = new Properties();
        p.setProperty("format", FORMAT);
        RegistrySnapshot registry = contents.registry();
        if (registry != null) {
            put(p, "registry.scanPath", registry.scanPath());
            put(p, "registry.lastScan", registry.lastScan());
            put(p, "registry.portRange.start", registry.portRange().start());
            put(p, "registry.portRange.end", registry.portRange().end());
            put(p, "registry.tierThresholds.powerfulMin", registry.tierThresholds().powerfulMin());
            put(p, "registry.tierThresholds.fastMax", registry.tierThresholds().fastMax());
            p.setProperty("registry.models", Integer.toString(registry.models().size()));
            int i = 0;
            for (DiscoveredModel model : registry.models().values()) {
                encodeModel(p, "model." + i++ + ".", model);
            }
        }
        List<ModelProfile> profiles = new ArrayList<>(new TreeMap<>(contents.profiles()).values());
        p.setProperty("profiles", Integer.toString(profiles.size()));
        for (int i = 0; i < profiles.size(); i++) {
            encodeProfile(p, "profile." + i + ".", profiles.get(i));
        }
        put(p, "active", contents.activeProfile());
        return p;
    }

    private static void encodeModel(Properties p, String at, DiscoveredModel m) {
        put(p, at + "modelId", m.modelId());
        put(p, at + "filePath", m.filePath());
        put(p, at + "filename", m.filename());
        putList(p, at + "parts", m.parts(), Function.identity());
        put(p, at + "fileSizeBytes", m.fileSizeBytes());
        put(p, at + "family", m.family());
        put(p, at + "version", m.version());
        put(p, at + "sizeParams", m.sizeParams());
        put(p, at + "sizeLabel", m.sizeLabel());
        put(p, at + "parameterCount", m.parameterCount());
        put(p, at + "quantization", m.quantization());
        put(p, at + "architecture", m.architecture());
        put(p, at + "contextLength", m.contextLength());
        put(p, at + "tensorBytes", m.tensorBytes());
        put(p, at + "kvBytesPerToken", m.kvBytesPerToken());
        put(p, at + "mmprojSizeBytes", m.mmprojSizeBytes());
        put(p, at + "isThinkingModel", m.isThinkingModel());
        put(p, at + "thinkingOverride", m.thinkingOverride());
        put(p, at + "isInstruct", m.isInstruct());
        put(p, at + "isCoder", m.isCoder());
        put(p, at + "assignedTier", m.assignedTier().wireName());
        put(p, at + "tierOverride", m.tierOverride() == null ? null : m.tierOverride().wireName());
        put(p, at + "port", m.port());
        put(p, at + "portPinned", m.portPinned());
        put(p, at + "enabled", m.enabled());
        put(p, at + "nGpuLayers", m.nGpuLayers());
        put(p, at + "ctxSize", m.ctxSize());
        put(p, at + "nThreads", m.nThreads());
        put(p, at + "batchSize", m.batchSize());
        put(p, at + "ttlSeconds", m.ttlSeconds());
        put(p, at + "gpus", m.gpus());
        put(p, at + "cpus", m.cpus());
        putList(p, at + "extraArgs", m.extraArgs(), Function.identity());
        putList(p, at + "aliases", m.aliases(), Function.identity());
        // A variable's name cannot hold '=', so NAME=VALUE splits back at the first one.
        putList(p, at + "env", List.copyOf(m.env().entrySet()), e -> e.getKey() + "=" + e.getValue());
        put(p, at + "mmprojPath", m.mmprojPath());
        put(p, at + "metadataSource", m.metadataSource().wireName());
        put(p, at + "displayName", m.displayName());
        putList(p, at + "problems", m.problems(), Problem::message);
    }

    private static void encodeProfile(Properties p, String at, ModelProfile profile) {
        put(p, at + "name", profile.name());
        put(p, at + "description", profile.description());
        putList(p, at + "enabledModels", profile.enabledModels(), Function.identity());
        p.setProperty(at + "tierConfig", Integer.toString(profile.tierConfig().size()));
        for (int i = 0; i < profile.tierConfig().size(); i++) {
            TierConfig tier = profile.tierConfig().get(i);
            String t = at + "tierConfig." + i + ".";
            put(p, t + "name", tier.name().wireName());
            put(p, t + "maxScore", tier.maxScore());
            put(p, t + "expectedTimeSeconds", tier.expectedTimeSeconds());
        }
        TwoStage twoStage = profile.twoStage();
        put(p, at + "twoStage.enabled", twoStage.enabled());
        put(p, at + "twoStage.stage1Tier", twoStage.stage1Tier().wireName());
        put(p, at + "twoStage.stage2Tier", twoStage.stage2Tier().wireName());
        put(p, at + "twoStage.stage1MaxTokens", twoStage.stage1MaxTokens());
        LoadBalancing balancing = profile.loadBalancing();
        put(p, at + "loadBalancing.enabled", balancing.enabled());
        put(p, at + "loadBalancing.strategy", balancing.strategy().wireName());
        put(p, at + "loadBalancing.healthCheckInterval", balancing.healthCheckInterval());
    }

    private static void put(Properties p, String key, Object value) {
        if (value != null) {
            // Double.toString and Instant.toString both read back to the same value.
            p.setProperty(key, value.toString());
        }
    }

    private static <T> void putList(Properties p, String key, List<T> values, Function<T, String> text) {
        p.setProperty(key, Integer.toString(values.size()));
        for (int i = 0; i < values.size(); i++) {
            p.setProperty(key + "." + i, text.apply(values.get(i)));
        }
    }

    // ---------------------------------------------------------------- reading

    static Contents decode(Properties p) {
        Keys keys = new Keys(p);
        if (!FORMAT.equals(p.getProperty("format"))) {
            throw new IllegalArgumentException("format " + p.getProperty("format") + " is not " + FORMAT);
        }
        RegistrySnapshot registry = null;
        if (p.getProperty("registry.models") != null) {
            Map<String, DiscoveredModel> models = new LinkedHashMap<>();
            int count = keys.count("registry.models");
            for (int i = 0; i < count; i++) {
                DiscoveredModel model = decodeModel(keys, "model." + i + ".");
                models.put(model.modelId(), model);
            }
            Instant lastScan = keys.text("registry.lastScan") == null ? null : Instant.parse(keys.text("registry.lastScan"));
            registry = new RegistrySnapshot(models, keys.text("registry.scanPath"), lastScan,
                    new PortRange(keys.integer("registry.portRange.start"), keys.integer("registry.portRange.end")),
                    new TierThresholds(keys.decimal("registry.tierThresholds.powerfulMin"),
                            keys.decimal("registry.tierThresholds.fastMax")));
        }
        Map<String, ModelProfile> profiles = new TreeMap<>();
        int count = keys.count("profiles");
        for (int i = 0; i < count; i++) {
            ModelProfile profile = decodeProfile(keys, "profile." + i + ".");
            profiles.put(profile.name(), profile);
        }
        return new Contents(registry, profiles, keys.text("active"));
    }

    private static DiscoveredModel decodeModel(Keys k, String at) {
        String tierOverride = k.text(at + "tierOverride");
        return DiscoveredModel.builder(k.required(at + "modelId"), k.required(at + "filePath"), k.required(at + "filename"))
                .parts(k.list(at + "parts"))
                .fileSizeBytes(k.longValue(at + "fileSizeBytes"))
                .family(k.text(at + "family"))
                .version(k.text(at + "version"))
                .sizeParams(k.decimal(at + "sizeParams"))
                .sizeLabel(k.text(at + "sizeLabel"))
                .parameterCount(k.longValue(at + "parameterCount"))
                .quantization(k.text(at + "quantization"))
                .architecture(k.text(at + "architecture"))
                .contextLength(k.longValue(at + "contextLength"))
                .tensorBytes(k.longValue(at + "tensorBytes"))
                .kvBytesPerToken(k.longValue(at + "kvBytesPerToken"))
                .mmprojSizeBytes(k.longValue(at + "mmprojSizeBytes"))
                .isThinkingModel(k.flag(at + "isThinkingModel"))
                .thinkingOverride(k.bool(at + "thinkingOverride"))
                .isInstruct(k.flag(at + "isInstruct"))
                .isCoder(k.flag(at + "isCoder"))
                .assignedTier(Tier.parse(k.required(at + "assignedTier")))
                .tierOverride(tierOverride == null ? null : Tier.parse(tierOverride))
                .port(k.integer(at + "port"))
                .portPinned(k.flag(at + "portPinned"))
                .enabled(k.flag(at + "enabled"))
                .nGpuLayers(k.integer(at + "nGpuLayers"))
                .ctxSize(k.integer(at + "ctxSize"))
                .nThreads(k.integer(at + "nThreads"))
                .batchSize(k.integer(at + "batchSize"))
                .ttlSeconds(k.integer(at + "ttlSeconds"))
                .gpus(k.integer(at + "gpus"))
                .cpus(k.integer(at + "cpus"))
                .extraArgs(k.list(at + "extraArgs"))
                .aliases(k.list(at + "aliases"))
                .env(k.variables(at + "env"))
                .mmprojPath(k.text(at + "mmprojPath"))
                .metadataSource(MetadataSource.parse(k.required(at + "metadataSource")))
                .displayName(k.text(at + "displayName"))
                .problems(k.list(at + "problems").stream().map(Problem::parse).toList())
                .build();
    }

    private static ModelProfile decodeProfile(Keys k, String at) {
        List<TierConfig> tiers = new ArrayList<>();
        int count = k.count(at + "tierConfig");
        for (int i = 0; i < count; i++) {
            String t = at + "tierConfig." + i + ".";
            tiers.add(new TierConfig(Tier.parse(k.required(t + "name")), k.decimal(t + "maxScore"),
                    k.integer(t + "expectedTimeSeconds")));
        }
        return new ModelProfile(k.required(at + "name"), k.text(at + "description"), k.list(at + "enabledModels"), tiers,
                new TwoStage(k.flag(at + "twoStage.enabled"), Tier.parse(k.required(at + "twoStage.stage1Tier")),
                        Tier.parse(k.required(at + "twoStage.stage2Tier")), k.integer(at + "twoStage.stage1MaxTokens")),
                new LoadBalancing(k.flag(at + "loadBalancing.enabled"),
                        Strategy.parse(k.required(at + "loadBalancing.strategy")),
                        k.integer(at + "loadBalancing.healthCheckInterval")));
    }

    /** Typed reads of the keys; a number that is missing where one is needed is an error. */
    private record Keys(Properties p) {
        String text(String key) {
            return p.getProperty(key);
        }

        String required(String key) {
            String value = p.getProperty(key);
            if (value == null) {
                throw new IllegalArgumentException("missing key " + key);
            }
            return value;
        }

        int count(String key) {
            String value = p.getProperty(key);
            return value == null ? 0 : Integer.parseInt(value);
        }

        List<String> list(String key) {
            List<String> values = new ArrayList<>();
            int count = count(key);
            for (int i = 0; i < count; i++) {
                values.add(required(key + "." + i));
            }
            return values;
        }

        Map<String, String> variables(String key) {
            Map<String, String> values = new TreeMap<>();
            for (String variable : list(key)) {
                int equals = variable.indexOf('=');
                if (equals < 1) {
                    throw new IllegalArgumentException("key " + key + " holds " + variable + ", not NAME=VALUE");
                }
                values.put(variable.substring(0, equals), variable.substring(equals + 1));
            }
            return values;
        }

        Integer integer(String key) {
            String value = p.getProperty(key);
            return value == null ? null : Integer.valueOf(value);
        }

        Long longValue(String key) {
            String value = p.getProperty(key);
            return value == null ? null : Long.valueOf(value);
        }

        Double decimal(String key) {
            String value = p.getProperty(key);
            return value == null ? null : Double.valueOf(value);
        }

        Boolean bool(String key) {
            String value = p.getProperty(key);
            return value == null ? null : Boolean.valueOf(value);
        }

        boolean flag(String key) {
            return Boolean.parseBoolean(p.getProperty(key));
        }
    }
}
