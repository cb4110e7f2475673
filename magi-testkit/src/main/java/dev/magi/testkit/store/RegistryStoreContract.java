package dev.magi.testkit.store;

import dev.magi.spi.DiscoveredModel;
import dev.magi.spi.ErrorCode;
import dev.magi.spi.MagiException;
import dev.magi.spi.MetadataSource;
import dev.magi.spi.ModelProfile;
import dev.magi.spi.ModelProfile.LoadBalancing;
import dev.magi.spi.ModelProfile.Strategy;
import dev.magi.spi.ModelProfile.TierConfig;
import dev.magi.spi.ModelProfile.TwoStage;
import dev.magi.spi.PortRange;
import dev.magi.spi.Problem;
import dev.magi.spi.RegistryConflictException;
import dev.magi.spi.RegistrySnapshot;
import dev.magi.spi.RegistryStore;
import dev.magi.spi.RuntimeSettings;
import dev.magi.spi.Settings;
import dev.magi.spi.StoreProvider;
import dev.magi.spi.Tier;
import dev.magi.spi.TierThresholds;
import dev.magi.testkit.Plugins;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The contract every storage plugin keeps, as one suite that each store's test extends: built-in
 * stores run it from their tests, and a third party runs it against its own plugin by depending on
 * magi-testkit and extending this class. It speaks to the store through the plugin API alone.
 *
 * <p>A subclass names the provider and the settings that put a store in a given empty directory;
 * every test opens a fresh store there, and several reopen it, so the settings must lead back to the
 * same data each time.
 */
public abstract class RegistryStoreContract {
    /** The setting every store reads for where the registry is: a file, or beside which its data lives. */
    public static final String REGISTRY_PATH = "REGISTRY_PATH";
    /** The setting every store reads for where the profiles are. */
    public static final String PROFILES_PATH = "PROFILES_PATH";

    /** The plugin under test. */
    protected abstract StoreProvider provider();

    /** Settings that keep a store's data in {@code dir}, which exists and is empty at first. */
    protected abstract Settings settings(Path dir);

    /**
     * The keys of {@link #settings} that a child process needs to open the same store; by default
     * the two every store reads, {@link #REGISTRY_PATH} and {@link #PROFILES_PATH}. A plugin with keys
     * of its own adds them.
     */
    protected List<String> settingKeys() {
        return new ArrayList<>(List.of(REGISTRY_PATH, PROFILES_PATH));
    }

    /** The settings of the file layout MAGI uses by default, under {@code dir}. */
    public static Settings fileSettings(Path dir) {
        return Settings.of(Map.of(
                REGISTRY_PATH, dir.resolve("data/model_registry.json").toString(),
                PROFILES_PATH, dir.resolve("config/profiles").toString()));
    }

    @TempDir
    protected Path dir;

    protected RegistryStore store;

    @BeforeEach
    void openStore() {
        store = open();
    }

    @AfterEach
    void closeStore() {
        if (store != null) {
            store.close();
        }
    }

    /** A new store over the same data. */
    protected RegistryStore open() {
        return provider().open(settings(dir));
    }

    /** Closes the store and opens it again, as a restart of MAGI does. */
    protected RegistryStore reopen() {
        store.close();
        store = open();
        return store;
    }

    // ---------------------------------------------------------------- fixtures

    /** A registry with one model that sets every field and one that sets none. */
    public static RegistrySnapshot fullRegistry(String suffix) {
        DiscoveredModel model = DiscoveredModel.builder("qwen3-4b" + suffix, "/models/Qwen3-4B.gguf", "Qwen3-4B.gguf")
                .parts(List.of("/models/Qwen3-4B.gguf"))
                .fileSizeBytes(2_497_280_000L)
                .family("qwen").version("3").sizeParams(4.02).sizeLabel("4B").parameterCount(4_022_468_096L)
                .quantization("q4_k_m").architecture("qwen3").contextLength(40960L)
                .tensorBytes(2_497_000_000L).kvBytesPerToken(147_456L).mmprojSizeBytes(851_000_000L)
                .isThinkingModel(true).thinkingOverride(false).isInstruct(true).isCoder(false)
                .assignedTier(Tier.FAST).tierOverride(Tier.POWERFUL)
                .port(8081).portPinned(true).enabled(true)
                .nGpuLayers(99).ctxSize(8192).nThreads(6).batchSize(512).ttlSeconds(1800).gpus(2).cpus(12)
                // Text that a careless format would turn into another type, split or trim.
                .extraArgs(List.of("--jinja", "--cache-type-k", "q8_0", "--chat-template-file", "/t/模板 ü.jinja",
                        "", "  spaced  ", "null", "true", "0x1F", "1e3", "~", "a=b", "# not a comment"))
                .env(Map.of("CUDA_VISIBLE_DEVICES", "0,1", "HF_HOME", "/ü/模型", "EMPTY", "", "NUMBER", "007",
                        "NULL_TEXT", "null"))
                .aliases(List.of("gpt-4o-mini", "org/model:latest", "模型-ü", "null", "0x1F"))
                .mmprojPath("/models/mmproj-Qwen3-4B-f16.gguf").metadataSource(MetadataSource.GGUF)
                .displayName("Qwen3 4B «ünïcode» 模型")
                .problems(List.of(Problem.parse("a problem"), Problem.missingPart(2, 3)))
                .build();
        DiscoveredModel bare = DiscoveredModel.builder("bare", "/models/bare.gguf", "bare.gguf").build();
        Map<String, DiscoveredModel> models = new LinkedHashMap<>();
        models.put(model.modelId(), model);
        models.put("bare", bare);
        return new RegistrySnapshot(models, "/models", Instant.parse("2026-11-26T12:00:00.123456789Z"),
                new PortRange(9000, 9010), new TierThresholds(20.5, 3));
    }

    /** A profile that sets every section to something other than its default. */
    public static ModelProfile fullProfile(String name) {
        return new ModelProfile(name, "Everything set: «ünïcode» 模型 🦙", List.of("qwen3-4b", "bare", "模型-ü"),
                List.of(new TierConfig(Tier.FAST, 2.5, 1), new TierConfig(Tier.BALANCED, 6.25, 4),
                        new TierConfig(Tier.POWERFUL, null, 20)),
                new TwoStage(true, Tier.FAST, Tier.POWERFUL, 250),
                new LoadBalancing(false, Strategy.LEAST_LOADED, 12));
    }

    static DiscoveredModel model(String id) {
        return DiscoveredModel.builder(id, "/models/" + id + ".gguf", id + ".gguf").build();
    }

    static RegistrySnapshot registryOf(List<DiscoveredModel> models) {
        Map<String, DiscoveredModel> byId = new LinkedHashMap<>();
        for (DiscoveredModel model : models) {
            byId.put(model.modelId(), model);
        }
        return new RegistrySnapshot(byId, "/models", Instant.parse("2026-01-02T03:04:05Z"), null, null);
    }

    private static void assertSameRegistry(Optional<RegistrySnapshot> loaded, RegistrySnapshot expected) {
        assertThat(loaded).contains(expected);
        // Equality of maps ignores order; the registry's order is part of what is kept.
        assertThat(loaded.orElseThrow().models().keySet()).containsExactlyElementsOf(expected.models().keySet());
    }

    // ---------------------------------------------------------------- tests

    @Test
    @DisplayName("is found by its name through ServiceLoader")
    void discoverable() {
        Map<String, StoreProvider> available = Plugins.byName(StoreProvider.class, getClass().getClassLoader(),
                StoreProvider::name);
        assertThat(available).containsKey(provider().name());
        assertThat(available.get(provider().name())).isExactlyInstanceOf(provider().getClass());
    }

    @Test
    @DisplayName("holds no registry, no profiles and no active profile before the first save")
    void emptyStore() {
        assertThat(store.loadRegistry()).isEmpty();
        assertThat(store.profileNames()).isEmpty();
        assertThat(store.loadProfile("default")).isEmpty();
        assertThat(store.deleteProfile("default")).isFalse();
        assertThat(store.loadActiveProfile()).isEmpty();
    }

    @Nested
    @DisplayName("the registry")
    class Registry {

        @Test
        @DisplayName("saves and loads every field, nulls included")
        void everyField() {
            RegistrySnapshot registry = fullRegistry("");
            store.saveRegistry(registry);
            assertSameRegistry(store.loadRegistry(), registry);
            assertSameRegistry(reopen().loadRegistry(), registry);
        }

        @Test
        @DisplayName("keeps a registry that was never scanned: no models, no scan path, no scan time")
        void neverScanned() {
            RegistrySnapshot registry = new RegistrySnapshot(Map.of(), null, null, null, null);
            store.saveRegistry(registry);
            assertSameRegistry(reopen().loadRegistry(), registry);
        }

        @Test
        @DisplayName("keeps the models in the order they were listed")
        void order() {
            List<DiscoveredModel> models = new ArrayList<>();
            for (String id : List.of("zeta", "alpha", "mu", "beta-2", "beta-10", "Zulu", "0-first")) {
                models.add(model(id));
            }
            store.saveRegistry(registryOf(models));
            assertSameRegistry(reopen().loadRegistry(), registryOf(models));

            List<DiscoveredModel> reordered = new ArrayList<>(models.subList(3, 7));
            reordered.addAll(models.subList(0, 3));
            store.saveRegistry(registryOf(reordered));
            assertSameRegistry(reopen().loadRegistry(), registryOf(reordered));
        }

        @Test
        @DisplayName("a save replaces the whole registry: models changed, added and removed")
        void replace() {
            store.saveRegistry(registryOf(List.of(model("a"), model("b"), model("c"))));
            RegistrySnapshot next = new RegistrySnapshot(
                    Map.of("a", model("a").toBuilder().enabled(true).port(8080).build(), "d", model("d")),
                    "/elsewhere", Instant.parse("2027-01-01T00:00:00Z"), new PortRange(7000, 7001),
                    new TierThresholds(30, 1.5));
            store.saveRegistry(next);
            assertThat(store.loadRegistry()).contains(next);
            assertThat(reopen().loadRegistry()).contains(next);

            store.saveRegistry(registryOf(List.of()));
            assertThat(reopen().loadRegistry()).contains(registryOf(List.of()));
        }

        @Test
        @DisplayName("keeps the user's overrides, and their clearing")
        void overrides() {
            DiscoveredModel plain = model("m").toBuilder().assignedTier(Tier.FAST).isThinkingModel(true).build();
            DiscoveredModel overridden = plain.toBuilder().tierOverride(Tier.POWERFUL).thinkingOverride(false)
                    .enabled(true).port(8085).portPinned(true)
                    .runtimeSettings(new RuntimeSettings(33, 4096, 8, 256, List.of("--jinja", "-fa", "on"),
                            Map.of("GGML_CUDA_NO_PINNED", "1"))).build();
            store.saveRegistry(registryOf(List.of(overridden)));
            DiscoveredModel loaded = reopen().loadRegistry().orElseThrow().models().get("m");
            assertThat(loaded).isEqualTo(overridden);
            assertThat(loaded.effectiveTier()).isEqualTo(Tier.POWERFUL);
            assertThat(loaded.effectiveThinking()).isFalse();

            store.saveRegistry(registryOf(List.of(plain)));
            loaded = reopen().loadRegistry().orElseThrow().models().get("m");
            assertThat(loaded).isEqualTo(plain);
            assertThat(loaded.tierOverride()).isNull();
            assertThat(loaded.thinkingOverride()).isNull();
            assertThat(loaded.runtimeSettings()).isEqualTo(new RuntimeSettings(null, null, null, null));
            assertThat(loaded.extraArgs()).isEmpty();
            assertThat(loaded.env()).isEmpty();
            assertThat(loaded.aliases()).isEmpty();
            assertThat(loaded.ttlSeconds()).isNull();
            assertThat(loaded.gpus()).isNull();
            assertThat(loaded.cpus()).isNull();
        }

        @Test
        @DisplayName("keeps gpus and cpus apart: 0 GPUs, a number, and null (the launcher's default)")
        void gpusAndCpus() {
            DiscoveredModel none = model("none").toBuilder().gpus(0).cpus(1).build();
            DiscoveredModel four = model("four").toBuilder().gpus(4).cpus(16).build();
            DiscoveredModel unset = model("unset").toBuilder().gpus(null).cpus(null).build();
            store.saveRegistry(registryOf(List.of(none, four, unset)));

            Map<String, DiscoveredModel> loaded = reopen().loadRegistry().orElseThrow().models();
            assertThat(loaded.get("none").gpus()).isZero();
            assertThat(loaded.get("none").cpus()).isEqualTo(1);
            assertThat(loaded.get("four").runtimeSettings().gpus()).isEqualTo(4);
            assertThat(loaded.get("four").runtimeSettings().cpus()).isEqualTo(16);
            assertThat(loaded.get("unset").gpus()).isNull();
            assertThat(loaded.get("unset").cpus()).isNull();
        }

        @Test
        @DisplayName("keeps ttlSeconds apart: 0 (never unloaded), a number, and null (follows --idle-ttl)")
        void ttlSeconds() {
            DiscoveredModel never = model("never").toBuilder().ttlSeconds(0).build();
            DiscoveredModel minute = model("minute").toBuilder().ttlSeconds(60).build();
            DiscoveredModel follows = model("follows").toBuilder().ttlSeconds(null).build();
            store.saveRegistry(registryOf(List.of(never, minute, follows)));

            Map<String, DiscoveredModel> loaded = reopen().loadRegistry().orElseThrow().models();
            assertThat(loaded.get("never").ttlSeconds()).isZero();
            assertThat(loaded.get("minute").ttlSeconds()).isEqualTo(60);
            assertThat(loaded.get("follows").ttlSeconds()).isNull();
            assertThat(loaded.get("never").runtimeSettings().ttlSeconds()).isZero();
        }

        @Test
        @DisplayName("keeps ids, names, paths and problems in any script, and text that looks like other types")
        void unicodeAndTrickyText() {
            List<DiscoveredModel> models = new ArrayList<>();
            models.add(DiscoveredModel.builder("模型-ü-🦙", "/mödels/日本語/🦙 llama.gguf", "🦙 llama.gguf")
                    .family("ллама").displayName("Ünïcödé 模型 🦙 — \"quoted\" 'single' \\ back\\slash")
                    .mmprojPath("/mödels/日本語/mmproj-🦙.gguf")
                    .problems(List.of(Problem.parse("línea uno\nline two\ttabbed"),
                            Problem.parse("ошибка: ∅")))
                    .build());
            // Text a YAML or SQL reader could take for something else must come back as the same text.
            List<String> tricky = List.of("null", "~", "yes", "no", "true", "1e3", "0x1F", "012", ".inf", "-",
                    "", " leading and trailing ", "# not a comment", "key: value", "[1, 2]", "{a: b}", "&anchor",
                    "*alias", "!!str tagged", "%directive", "'; DROP TABLE MODEL; --", "\u0000\u0007\u001b",
                    "\u00a0\u2028\u2029\ufeff", "...", "---");
            for (int i = 0; i < tricky.size(); i++) {
                String text = tricky.get(i);
                models.add(DiscoveredModel.builder("tricky-" + i, "/models/" + text + ".gguf", text)
                        .family(text).version(text).sizeLabel(text).quantization(text).architecture(text)
                        .displayName(text).problems(List.of(Problem.parse(text))).build());
            }
            RegistrySnapshot registry = new RegistrySnapshot(registryOf(models).models(), "/mödels/日本語",
                    Instant.parse("2026-05-06T07:08:09.5Z"), null, null);
            store.saveRegistry(registry);
            assertSameRegistry(reopen().loadRegistry(), registry);
        }

        @Test
        @DisplayName("keeps a registry of two thousand models, and a change to one of them")
        void large() {
            List<DiscoveredModel> models = new ArrayList<>();
            for (int i = 0; i < 2000; i++) {
                models.add(model(String.format("model-%04d", i)).toBuilder().sizeParams(i / 10.0)
                        .problems(List.of(Problem.parse("problem of " + i))).build());
            }
            store.saveRegistry(registryOf(models));
            models.set(1234, models.get(1234).toBuilder().enabled(true).port(8090).build());
            store.saveRegistry(registryOf(models));
            assertSameRegistry(reopen().loadRegistry(), registryOf(models));
        }

        @Test
        @DisplayName("if it has versions (for nodes sharing it): counts every save and refuses one made to an old version")
        void versions() {
            OptionalLong before = store.registryVersion();
            long first = store.saveRegistry(fullRegistry("-one"), before.orElse(0));
            if (before.isEmpty()) {
                // One MAGI has this store to itself: the versioned save is a plain save.
                assertThat(store.registryVersion()).isEmpty();
                assertSameRegistry(store.loadRegistry(), fullRegistry("-one"));
                return;
            }
            assertThat(first).isNotEqualTo(before.getAsLong());
            assertThat(store.registryVersion()).hasValue(first);
            store.saveRegistry(fullRegistry("-two"));
            long second = store.registryVersion().orElseThrow();
            assertThat(second).as("a plain save counts too").isNotEqualTo(first);

            assertThatThrownBy(() -> store.saveRegistry(fullRegistry("-stale"), first))
                    .isInstanceOf(RegistryConflictException.class);
            assertSameRegistry(store.loadRegistry(), fullRegistry("-two"));
            assertThat(store.registryVersion()).as("nothing saved").hasValue(second);
            assertThat(store.saveRegistry(fullRegistry("-three"), second)).isNotEqualTo(second);
            assertSameRegistry(reopen().loadRegistry(), fullRegistry("-three"));
        }
    }

    @Nested
    @DisplayName("profiles")
    class Profiles {

        @Test
        @DisplayName("saves and loads every section of a profile, and one that takes the defaults")
        void roundTrip() {
            ModelProfile full = fullProfile("full");
            ModelProfile defaults = ModelProfile.withDefaults("defaults", null, List.of());
            store.saveProfile(full);
            store.saveProfile(defaults);
            assertThat(store.loadProfile("full")).contains(full);
            assertThat(reopen().loadProfile("full")).contains(full);
            assertThat(store.loadProfile("defaults")).contains(defaults);
        }

        @Test
        @DisplayName("a save replaces the profile of the same name")
        void replace() {
            store.saveProfile(fullProfile("coding"));
            ModelProfile replacement = ModelProfile.withDefaults("coding", "now smaller", List.of("other"));
            store.saveProfile(replacement);
            assertThat(store.profileNames()).containsExactly("coding");
            assertThat(reopen().loadProfile("coding")).contains(replacement);
        }

        @Test
        @DisplayName("lists the names sorted")
        void sorted() {
            for (String name : List.of("zeta", "Alpha", "beta", "10", "2", "a_b", "a-b")) {
                store.saveProfile(ModelProfile.withDefaults(name, null, List.of()));
            }
            List<String> expected = new ArrayList<>(List.of("zeta", "Alpha", "beta", "10", "2", "a_b", "a-b"));
            expected.sort(null);
            assertThat(store.profileNames()).containsExactlyElementsOf(expected);
            assertThat(reopen().profileNames()).containsExactlyElementsOf(expected);
        }

        @Test
        @DisplayName("deletes a profile and answers whether it existed")
        void delete() {
            store.saveProfile(fullProfile("gone"));
            store.saveProfile(fullProfile("kept"));
            assertThat(store.deleteProfile("gone")).isTrue();
            assertThat(store.deleteProfile("gone")).isFalse();
            assertThat(store.loadProfile("gone")).isEmpty();
            assertThat(reopen().profileNames()).containsExactly("kept");
        }

        @Test
        @DisplayName("records, replaces and clears the active profile")
        void active() {
            store.saveProfile(fullProfile("one"));
            store.saveProfile(fullProfile("two"));
            store.saveActiveProfile("one");
            assertThat(reopen().loadActiveProfile()).contains("one");
            store.saveActiveProfile("two");
            assertThat(reopen().loadActiveProfile()).contains("two");
            store.saveActiveProfile(null);
            assertThat(reopen().loadActiveProfile()).isEmpty();
        }

        @Test
        @DisplayName("refuses names that are not profile names, before touching anything")
        void invalidNames() {
            for (String name : List.of("../escape", "a/b", "", ".hidden", "x".repeat(65), "名前")) {
                assertThatThrownBy(() -> store.loadProfile(name)).isInstanceOf(MagiException.class)
                        .extracting(e -> ((MagiException) e).code()).isEqualTo(ErrorCode.INVALID_PROFILE_NAME);
                assertThatThrownBy(() -> store.deleteProfile(name)).isInstanceOf(MagiException.class)
                        .extracting(e -> ((MagiException) e).code()).isEqualTo(ErrorCode.INVALID_PROFILE_NAME);
                assertThatThrownBy(() -> store.saveActiveProfile(name)).isInstanceOf(MagiException.class)
                        .extracting(e -> ((MagiException) e).code()).isEqualTo(ErrorCode.INVALID_PROFILE_NAME);
            }
            assertThat(store.profileNames()).isEmpty();
            assertThat(store.loadActiveProfile()).isEmpty();
        }
    }

    @Test
    @DisplayName("keeps the registry, the profiles and the active profile across close and reopen")
    void closeAndReopen() {
        RegistrySnapshot registry = fullRegistry("-kept");
        store.saveRegistry(registry);
        store.saveProfile(fullProfile("kept"));
        store.saveActiveProfile("kept");
        store.close();
        store = null;

        store = open();
        assertSameRegistry(store.loadRegistry(), registry);
        assertThat(store.profileNames()).containsExactly("kept");
        assertThat(store.loadProfile("kept")).contains(fullProfile("kept"));
        assertThat(store.loadActiveProfile()).contains("kept");
    }

    @Test
    @DisplayName("32 threads making 200 changes each, each a load, change and save under one lock as MAGI's"
            + " registry makes them, lose none, while readers see whole registries")
    void concurrentChanges() throws Exception {
        int threads = 32;
        int changes = 200;
        RegistrySnapshot lastSaved = ConcurrentWriters.runLocked(store, threads, changes);

        RegistrySnapshot saved = reopen().loadRegistry().orElseThrow();
        assertThat(saved).isEqualTo(lastSaved);
        ConcurrentWriters.assertNoChangeLost(saved, threads, changes);
    }

    @Test
    @DisplayName("a writer killed at random moments leaves its last acknowledged registry or a later one, never a torn one")
    void survivesKill() throws Exception {
        store.close();
        store = null;
        Random random = new Random();
        long acknowledged = 0;
        for (int round = 1; round <= 4; round++) {
            long lastAck = killWriterAfter(1 + random.nextInt(40), acknowledged);
            try (RegistryStore reopened = open()) {
                RegistrySnapshot found = reopened.loadRegistry().orElseThrow(
                        () -> new AssertionError("no registry after the writer was killed"));
                long n = StoreCrashWriter.numberOf(found);
                assertThat(n).as("write found in round %d, after write %d was acknowledged", round, lastAck)
                        .isBetween(lastAck, lastAck + 1);
                assertSameRegistry(Optional.of(found), StoreCrashWriter.registryNumber(n));
                acknowledged = n;
            }
        }
    }

    /**
     * Starts {@link StoreCrashWriter} over this store, kills it with SIGKILL once it has acknowledged
     * {@code acks} more writes, and answers the last write it acknowledged.
     */
    private long killWriterAfter(int acks, long before) throws Exception {
        Settings settings = settings(dir);
        Map<String, String> passed = new LinkedHashMap<>();
        for (String key : settingKeys()) {
            String value = settings.get(key);
            if (value != null) {
                passed.put(key, value);
            }
        }
        return StoreCrashWriter.killAfter(provider().name(), passed, dir, acks, before);
    }
}
