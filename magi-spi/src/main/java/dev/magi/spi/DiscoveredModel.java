package dev.magi.spi;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One runnable model as MAGI knows it: what discovery read from its file(s) and what the user set.
 * Immutable; a change makes a new instance with {@link #toBuilder()}.
 *
 * <p>Facts ({@code family} ... {@code isCoder}, {@code mmprojPath}) come from discovery; overrides
 * ({@code tierOverride}, {@code thinkingOverride}, {@code enabled}, {@code port} and the runtime
 * settings) come from the user and survive rescans. {@code portPinned} tells a port the user chose
 * (kept even when taken by another program) from one handed out from the range (moved on when taken).
 * {@code aliases} are other names the gateway answers for the model (such as {@code gpt-4o-mini}),
 * also the user's, also kept across rescans; never null. {@code ttlSeconds} is the runtime setting
 * that overrides {@code --idle-ttl} for this model (null follows it, 0 = never unloaded for idleness);
 * {@code gpus} and {@code cpus} are the runtime settings a launcher that reserves resources asks for.
 *
 * <p>{@code tensorBytes}, {@code kvBytesPerToken} and {@code mmprojSizeBytes} are what the memory
 * estimate is made of, read by discovery: the model's tensor data (its files less their headers), its
 * KV cache per token of context (f16), and its projector file; each null when unknown.
 */
public record DiscoveredModel(
        String modelId,
        String filePath,
        String filename,
        List<String> parts,
        long fileSizeBytes,
        String family,
        String version,
        Double sizeParams,
        String sizeLabel,
        Long parameterCount,
        String quantization,
        String architecture,
        Long contextLength,
        Long tensorBytes,
        Long kvBytesPerToken,
        boolean isThinkingModel,
        Boolean thinkingOverride,
        boolean isInstruct,
        boolean isCoder,
        Tier assignedTier,
        Tier tierOverride,
        Integer port,
        boolean portPinned,
        boolean enabled,
        Integer nGpuLayers,
        Integer ctxSize,
        Integer nThreads,
        Integer batchSize,
        List<String> extraArgs,
        Map<String, String> env,
        String mmprojPath,
        Long mmprojSizeBytes,
        MetadataSource metadataSource,
        String displayName,
        List<Problem> problems,
        List<String> aliases,
        Integer ttlSeconds,
        Integer gpus,
        Integer cpus) {

    public DiscoveredModel {
        Objects.requireNonNull(modelId, "modelId");
        Objects.requireNonNull(filePath, "filePath");
        Objects.requireNonNull(filename, "filename");
        parts = parts == null ? List.of(filePath) : List.copyOf(parts);
        problems = problems == null ? List.of() : List.copyOf(problems);
        extraArgs = RuntimeSettings.copyArgs(extraArgs);
        env = RuntimeSettings.copyEnv(env);
        aliases = aliases == null ? List.of() : List.copyOf(aliases);
        if (assignedTier == null) {
            assignedTier = Tier.BALANCED;
        }
        if (metadataSource == null) {
            metadataSource = MetadataSource.FILENAME;
        }
        if (displayName == null) {
            displayName = modelId;
        }
    }

    /** The tier the model runs in: the user's override when set, else the classifier's answer. */
    public Tier effectiveTier() {
        return tierOverride != null ? tierOverride : assignedTier;
    }

    /** Whether the model is treated as a thinking model: the user's override when set, else detection. */
    public boolean effectiveThinking() {
        return thinkingOverride != null ? thinkingOverride : isThinkingModel;
    }

    /** The per-model llama-server settings the user chose. */
    public RuntimeSettings runtimeSettings() {
        return new RuntimeSettings(nGpuLayers, ctxSize, nThreads, batchSize, ttlSeconds, extraArgs, env, gpus, cpus);
    }

    /** A model can be started only when nothing in {@link #problems()} prevents it. */
    public boolean isRunnable() {
        return problems.stream().noneMatch(p -> p.kind().preventsStart());
    }

    /** The messages of {@link #problems()}, as a person reads them. */
    public List<String> problemMessages() {
        return problems.stream().map(Problem::message).toList();
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    public static Builder builder(String modelId, String filePath, String filename) {
        return new Builder(modelId, filePath, filename);
    }

    /** Builds a model; every field not set stays null, false or empty. */
    public static final class Builder {
        private String modelId;
        private String filePath;
        private String filename;
        private List<String> parts;
        private long fileSizeBytes;
        private String family;
        private String version;
        private Double sizeParams;
        private String sizeLabel;
        private Long parameterCount;
        private String quantization;
        private String architecture;
        private Long contextLength;
        private Long tensorBytes;
        private Long kvBytesPerToken;
        private boolean isThinkingModel;
        private Boolean thinkingOverride;
        private boolean isInstruct;
        private boolean isCoder;
        private Tier assignedTier;
        private Tier tierOverride;
        private Integer port;
        private boolean portPinned;
        private boolean enabled;
        private Integer nGpuLayers;
        private Integer ctxSize;
        private Integer nThreads;
        private Integer batchSize;
        private List<String> extraArgs;
        private Map<String, String> env;
        private List<String> aliases;
        private Integer ttlSeconds;
        private Integer gpus;
        private Integer cpus;
        private String mmprojPath;
        private Long mmprojSizeBytes;
        private MetadataSource metadataSource;
        private String displayName;
        private List<Problem> problems;

        private Builder(String modelId, String filePath, String filename) {
            this.modelId = modelId;
            this.filePath = filePath;
            this.filename = filename;
        }

        private Builder(DiscoveredModel m) {
            modelId = m.modelId;
            filePath = m.filePath;
            filename = m.filename;
            parts = m.parts;
            fileSizeBytes = m.fileSizeBytes;
            family = m.family;
            version = m.version;
            sizeParams = m.sizeParams;
            sizeLabel = m.sizeLabel;
            parameterCount = m.parameterCount;
            quantization = m.quantization;
            architecture = m.architecture;
            contextLength = m.contextLength;
            tensorBytes = m.tensorBytes;
            kvBytesPerToken = m.kvBytesPerToken;
            isThinkingModel = m.isThinkingModel;
            thinkingOverride = m.thinkingOverride;
            isInstruct = m.isInstruct;
            isCoder = m.isCoder;
            assignedTier = m.assignedTier;
            tierOverride = m.tierOverride;
            port = m.port;
            portPinned = m.portPinned;
            enabled = m.enabled;
            nGpuLayers = m.nGpuLayers;
            ctxSize = m.ctxSize;
            nThreads = m.nThreads;
            batchSize = m.batchSize;
            extraArgs = m.extraArgs;
            env = m.env;
            aliases = m.aliases;
            ttlSeconds = m.ttlSeconds;
            gpus = m.gpus;
            cpus = m.cpus;
            mmprojPath = m.mmprojPath;
            mmprojSizeBytes = m.mmprojSizeBytes;
            metadataSource = m.metadataSource;
            displayName = m.displayName;
            problems = m.problems;
        }

        public Builder modelId(String v) { modelId = v; return this; }
        public Builder filePath(String v) { filePath = v; return this; }
        public Builder filename(String v) { filename = v; return this; }
        public Builder parts(List<String> v) { parts = v; return this; }
        public Builder fileSizeBytes(long v) { fileSizeBytes = v; return this; }
        public Builder family(String v) { family = v; return this; }
        public Builder version(String v) { version = v; return this; }
        public Builder sizeParams(Double v) { sizeParams = v; return this; }
        public Builder sizeLabel(String v) { sizeLabel = v; return this; }
        public Builder parameterCount(Long v) { parameterCount = v; return this; }
        public Builder quantization(String v) { quantization = v; return this; }
        public Builder architecture(String v) { architecture = v; return this; }
        public Builder contextLength(Long v) { contextLength = v; return this; }
        public Builder tensorBytes(Long v) { tensorBytes = v; return this; }
        public Builder kvBytesPerToken(Long v) { kvBytesPerToken = v; return this; }
        public Builder isThinkingModel(boolean v) { isThinkingModel = v; return this; }
        public Builder thinkingOverride(Boolean v) { thinkingOverride = v; return this; }
        public Builder isInstruct(boolean v) { isInstruct = v; return this; }
        public Builder isCoder(boolean v) { isCoder = v; return this; }
        public Builder assignedTier(Tier v) { assignedTier = v; return this; }
        public Builder tierOverride(Tier v) { tierOverride = v; return this; }
        public Builder port(Integer v) { port = v; return this; }
        public Builder portPinned(boolean v) { portPinned = v; return this; }
        public Builder enabled(boolean v) { enabled = v; return this; }
        public Builder nGpuLayers(Integer v) { nGpuLayers = v; return this; }
        public Builder ctxSize(Integer v) { ctxSize = v; return this; }
        public Builder nThreads(Integer v) { nThreads = v; return this; }
        public Builder batchSize(Integer v) { batchSize = v; return this; }
        public Builder extraArgs(List<String> v) { extraArgs = v; return this; }
        public Builder env(Map<String, String> v) { env = v; return this; }
        public Builder aliases(List<String> v) { aliases = v; return this; }
        public Builder ttlSeconds(Integer v) { ttlSeconds = v; return this; }
        public Builder gpus(Integer v) { gpus = v; return this; }
        public Builder cpus(Integer v) { cpus = v; return this; }
        public Builder mmprojPath(String v) { mmprojPath = v; return this; }
        public Builder mmprojSizeBytes(Long v) { mmprojSizeBytes = v; return this; }
        public Builder metadataSource(MetadataSource v) { metadataSource = v; return this; }
        public Builder displayName(String v) { displayName = v; return this; }
        public Builder problems(List<Problem> v) { problems = v; return this; }

        /** Copies every runtime setting at once. */
        public Builder runtimeSettings(RuntimeSettings s) {
            nGpuLayers = s.nGpuLayers();
            ctxSize = s.ctxSize();
            nThreads = s.nThreads();
            batchSize = s.batchSize();
            ttlSeconds = s.ttlSeconds();
            gpus = s.gpus();
            cpus = s.cpus();
            extraArgs = s.extraArgs();
            env = s.env();
            return this;
        }

        public DiscoveredModel build() {
            return new DiscoveredModel(modelId, filePath, filename, parts, fileSizeBytes, family, version,
                    sizeParams, sizeLabel, parameterCount, quantization, architecture, contextLength,
                    tensorBytes, kvBytesPerToken, isThinkingModel, thinkingOverride, isInstruct, isCoder, assignedTier, tierOverride, port,
                    portPinned, enabled, nGpuLayers, ctxSize, nThreads, batchSize, extraArgs, env, mmprojPath,
                    mmprojSizeBytes, metadataSource, displayName,
                    problems, aliases, ttlSeconds, gpus, cpus);
        }
    }
}
