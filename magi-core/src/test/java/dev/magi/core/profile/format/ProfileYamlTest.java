package dev.magi.core.profile.format;

import dev.magi.spi.ErrorCode;
import dev.magi.spi.MagiException;
import dev.magi.spi.ModelProfile;
import dev.magi.spi.ModelProfile.LoadBalancing;
import dev.magi.spi.ModelProfile.Strategy;
import dev.magi.spi.ModelProfile.TierConfig;
import dev.magi.spi.ModelProfile.TwoStage;
import dev.magi.spi.Tier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.List;
import java.util.StringJoiner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

@DisplayName("ProfileYaml")
class ProfileYamlTest {

    static final ModelProfile EVERY_FIELD_SET = new ModelProfile(
            "research",
            "Long answers: the big models, two stages",
            List.of("qwen2.5-coder-14b-instruct-q4_k_m", "deepseek-r1-distill-qwen-14b-q4_k_m"),
            List.of(new TierConfig(Tier.FAST, 2.5, 1),
                    new TierConfig(Tier.BALANCED, 6.25, 4),
                    new TierConfig(Tier.POWERFUL, null, 40)),
            new TwoStage(true, Tier.FAST, Tier.BALANCED, 256),
            new LoadBalancing(false, Strategy.LEAST_LOADED, 7));

    /** The error a text causes, which must be a MagiException and nothing else. */
    static MagiException failure(String yaml) {
        Throwable thrown = catchThrowable(() -> ProfileYaml.parse(yaml));
        assertThat(thrown).isInstanceOf(MagiException.class);
        return (MagiException) thrown;
    }

    @Nested
    @DisplayName("writing and reading back")
    class RoundTrip {

        @Test
        @DisplayName("every field survives a round trip")
        void everyField() {
            assertThat(ProfileYaml.parse(ProfileYaml.write(EVERY_FIELD_SET))).isEqualTo(EVERY_FIELD_SET);
        }

        @Test
        @DisplayName("a profile of defaults and no description survives a round trip")
        void defaults() {
            ModelProfile profile = ModelProfile.withDefaults("plain", null, List.of());

            assertThat(ProfileYaml.parse(ProfileYaml.write(profile))).isEqualTo(profile);
        }

        @Test
        @DisplayName("texts that look like other YAML values stay texts")
        void trickyTexts() {
            ModelProfile profile = ModelProfile.withDefaults("tricky", "line one\nline: two # not a comment – naïve ✓",
                    List.of("true", "1.0", "null", "~", "- dash", "a: b", "'quoted'", "{x}"));

            assertThat(ProfileYaml.parse(ProfileYaml.write(profile))).isEqualTo(profile);
        }

        @Test
        @DisplayName("unusual scores keep their exact value")
        void scores() {
            ModelProfile profile = new ModelProfile("scores", null, List.of(),
                    List.of(new TierConfig(Tier.FAST, 0.1, 0), new TierConfig(Tier.BALANCED, 1.0E-20, 0),
                            new TierConfig(Tier.POWERFUL, 123456789.125, 0)),
                    null, null);

            assertThat(ProfileYaml.parse(ProfileYaml.write(profile))).isEqualTo(profile);
        }

        @Test
        @DisplayName("the text is block-style camelCase with .inf for an unbounded score")
        void writtenForm() {
            String yaml = ProfileYaml.write(EVERY_FIELD_SET);

            assertThat(yaml).startsWith("name: research\n")
                    .contains("enabledModels:\n  - qwen2.5-coder-14b-instruct-q4_k_m\n")
                    .contains("tierConfig:\n  - name: fast\n    maxScore: 2.5\n    expectedTimeSeconds: 1\n")
                    .contains("    maxScore: .inf\n")
                    .contains("twoStage:\n  enabled: true\n  stage1Tier: fast\n  stage2Tier: balanced\n"
                            + "  stage1MaxTokens: 256\n")
                    .contains("loadBalancing:\n  enabled: false\n  strategy: least_loaded\n  healthCheckInterval: 7\n")
                    .doesNotContain("{", "!!", "_models", "null");
        }
    }

    @Nested
    @DisplayName("omitted sections and fields")
    class Defaults {

        @Test
        @DisplayName("a profile of only a name takes every default")
        void onlyName() {
            assertThat(ProfileYaml.parse("name: bare\n")).isEqualTo(ModelProfile.withDefaults("bare", null, null));
        }

        @Test
        @DisplayName("sections given as null take their defaults")
        void nullSections() {
            ModelProfile profile = ProfileYaml.parse("""
                    name: nulls
                    enabledModels: ~
                    tierConfig: ~
                    twoStage: ~
                    loadBalancing:
                    """);

            assertThat(profile).isEqualTo(ModelProfile.withDefaults("nulls", null, null));
        }

        @Test
        @DisplayName("fields left out of a section take that section's defaults")
        void partialSections() {
            ModelProfile profile = ProfileYaml.parse("""
                    name: partial
                    twoStage: {enabled: true}
                    loadBalancing: {strategy: random}
                    """);

            assertThat(profile.twoStage()).isEqualTo(new TwoStage(true, Tier.BALANCED, Tier.POWERFUL, 500));
            assertThat(profile.loadBalancing()).isEqualTo(new LoadBalancing(true, Strategy.RANDOM, 30));
        }

        @Test
        @DisplayName("a tier entry without limits takes that tier's default limits")
        void partialTier() {
            ModelProfile profile = ProfileYaml.parse("""
                    name: partial
                    tierConfig:
                      - name: powerful
                      - name: fast
                        expectedTimeSeconds: 9
                    """);

            assertThat(profile.tierConfig()).containsExactly(new TierConfig(Tier.POWERFUL, null, 15),
                    new TierConfig(Tier.FAST, 3.0, 9));
        }
    }

    @Nested
    @DisplayName("unbounded scores")
    class Unbounded {

        @ParameterizedTest(name = "maxScore: {0}")
        @DisplayName(".inf and null both mean unbounded")
        @CsvSource({".inf", ".Inf", "+.inf", "~", "null"})
        void unbounded(String written) {
            ModelProfile profile = ProfileYaml.parse("name: p\ntierConfig: [{name: fast, maxScore: " + written + "}]");

            assertThat(profile.tierConfig()).containsExactly(new TierConfig(Tier.FAST, null, 2));
        }

        @ParameterizedTest(name = "maxScore: {0}")
        @DisplayName("-.inf and .nan are refused")
        @CsvSource({"-.inf", ".nan"})
        void refused(String written) {
            MagiException e = failure("name: p\ntierConfig: [{name: fast, maxScore: " + written + "}]");

            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_PROFILE);
            assertThat(e.getMessage()).contains("tierConfig[0].maxScore");
        }
    }

    @Nested
    @DisplayName("the original project's layout")
    class OriginalLayout {

        static final String DEVELOPMENT_YAML = """
                # Development profile: small, fast models for quick iteration
                profile:
                  name: development
                  description: Fast iteration with small models

                enabled_models:
                  - qwen2.5-0.5b-instruct-q8_0
                  - qwen2.5-coder-7b-instruct-q4_k_m
                  - llama-3.1-8b-instruct-q4_k_m

                tier_config:
                  - name: fast
                    max_score: 3.0
                    expected_time_seconds: 2
                  - name: balanced
                    max_score: 7.0
                    expected_time_seconds: 5
                  - name: powerful
                    max_score: .inf
                    expected_time_seconds: 15

                two_stage:
                  enabled: false
                  stage1_tier: balanced
                  stage2_tier: powerful
                  stage1_max_tokens: 500

                load_balancing:
                  enabled: true
                  strategy: round_robin
                  health_check_interval: 30
                """;

        @Test
        @DisplayName("snake_case keys and the nested profile block are read")
        void development() {
            ModelProfile profile = ProfileYaml.parse(DEVELOPMENT_YAML);

            assertThat(profile).isEqualTo(ModelProfile.withDefaults("development", "Fast iteration with small models",
                    List.of("qwen2.5-0.5b-instruct-q8_0", "qwen2.5-coder-7b-instruct-q4_k_m",
                            "llama-3.1-8b-instruct-q4_k_m")));
        }

        @Test
        @DisplayName("non-default values in the snake_case layout are read")
        void nonDefaults() {
            ModelProfile profile = ProfileYaml.parse("""
                    profile: {name: prod}
                    two_stage: {enabled: yes, stage1_tier: fast, stage2_tier: balanced, stage1_max_tokens: 64}
                    load_balancing: {enabled: no, strategy: least_loaded, health_check_interval: 5}
                    """);

            assertThat(profile.twoStage()).isEqualTo(new TwoStage(true, Tier.FAST, Tier.BALANCED, 64));
            assertThat(profile.loadBalancing()).isEqualTo(new LoadBalancing(false, Strategy.LEAST_LOADED, 5));
        }

        @Test
        @DisplayName("tiers may be written as a map keyed by tier")
        void tiersAsMap() {
            ModelProfile profile = ProfileYaml.parse("""
                    profile: {name: keyed}
                    tiers:
                      fast: {max_score: 2.0, expected_time_seconds: 1}
                      powerful: {max_score: .inf}
                    """);

            assertThat(profile.tierConfig()).containsExactly(new TierConfig(Tier.FAST, 2.0, 1),
                    new TierConfig(Tier.POWERFUL, null, 15));
        }

        @Test
        @DisplayName("a key given in both spellings is refused")
        void bothSpellings() {
            MagiException e = failure("name: p\nenabledModels: [a]\nenabled_models: [b]\n");

            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_PROFILE);
            assertThat(e.getMessage()).contains("enabled_models").contains("enabledModels").contains("twice");
        }
    }

    @Nested
    @DisplayName("the profile's name")
    class Name {

        @Test
        @DisplayName("a name given by the caller wins over the one in the YAML")
        void callerWins() {
            assertThat(ProfileYaml.parse("name: other\n", "development").name()).isEqualTo("development");
        }

        @Test
        @DisplayName("an all-digit name is a name, not a number")
        void digits() {
            assertThat(ProfileYaml.parse("name: 2024\n").name()).isEqualTo("2024");
        }

        @Test
        @DisplayName("a YAML without a name, read without one, is refused")
        void missing() {
            MagiException e = failure("description: nameless\n");

            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_PROFILE);
            assertThat(e.getMessage()).contains("name is missing");
        }

        @Test
        @DisplayName("a hostile name in the YAML is refused as a name")
        void hostile() {
            assertThat(failure("name: ../../evil\n").code()).isEqualTo(ErrorCode.INVALID_PROFILE_NAME);
        }
    }

    @Nested
    @DisplayName("invalid content")
    class Invalid {

        @Test
        @DisplayName("an unknown strategy names the field and the strategies allowed")
        void unknownStrategy() {
            MagiException e = failure("name: p\nloadBalancing: {strategy: fastest}\n");

            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_PROFILE);
            assertThat(e.getMessage()).contains("loadBalancing.strategy", "'fastest'",
                    "round_robin, least_loaded, random");
            assertThat(e.details()).containsEntry("field", "loadBalancing.strategy")
                    .containsEntry("allowed", List.of("round_robin", "least_loaded", "random"));
        }

        @ParameterizedTest(name = "{0}")
        @DisplayName("an unknown tier names the field and the tiers allowed")
        @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
                tierConfig: [{name: medium}]        | tierConfig[0].name
                twoStage: {stage1Tier: medium}      | twoStage.stage1Tier
                two_stage: {stage2_tier: medium}    | two_stage.stage2_tier
                tiers: {medium: {maxScore: 1}}      | tiers.medium
                """)
        void unknownTier(String section, String field) {
            MagiException e = failure("name: p\n" + section + "\n");

            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_PROFILE);
            assertThat(e.getMessage()).contains(field, "'medium'", "fast, balanced, powerful");
        }

        @ParameterizedTest(name = "{0}")
        @DisplayName("a value of the wrong type names the field")
        @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
                enabledModels: a-model                             | enabledModels
                enabledModels: [a, [b]]                            | enabledModels[1]
                enabledModels: {a: b}                              | enabledModels
                tierConfig: fast                                   | tierConfig
                tierConfig: [fast]                                 | tierConfig[0]
                tierConfig: [{name: fast, maxScore: high}]         | tierConfig[0].maxScore
                tierConfig: [{name: fast, expectedTimeSeconds: 2.5}] | tierConfig[0].expectedTimeSeconds
                tierConfig: [{name: [fast]}]                       | tierConfig[0].name
                tierConfig: [{maxScore: 1}]                        | tierConfig[0].name
                twoStage: [enabled]                                | twoStage
                twoStage: {enabled: 'true'}                        | twoStage.enabled
                twoStage: {stage1MaxTokens: '500'}                 | twoStage.stage1MaxTokens
                twoStage: {stage1MaxTokens: 0}                     | twoStage.stage1MaxTokens
                twoStage: {stage1MaxTokens: 99999999999999999999}  | twoStage.stage1MaxTokens
                loadBalancing: true                                | loadBalancing
                loadBalancing: {healthCheckInterval: [30]}         | loadBalancing.healthCheckInterval
                loadBalancing: {strategy: [round_robin]}           | loadBalancing.strategy
                description: [a, b]                                | description
                profile: development                               | profile
                """)
        void wrongType(String section, String field) {
            MagiException e = failure("name: p\n" + section + "\n");

            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_PROFILE);
            assertThat(e.getMessage()).contains(field);
            assertThat(e.details()).containsEntry("field", field);
        }

        @Test
        @DisplayName("a tier listed twice is refused")
        void tierTwice() {
            MagiException e = failure("name: p\ntierConfig: [{name: fast}, {name: FAST}]\n");

            assertThat(e.getMessage()).contains("tierConfig", "'fast' twice");
        }

        @Test
        @DisplayName("a control character, escaped in the YAML, is refused naming the field")
        void controlCharacters() {
            MagiException description = failure("name: p\ndescription: \"a\\x00b\"\n");
            assertThat(description.code()).isEqualTo(ErrorCode.INVALID_PROFILE);
            assertThat(description.details()).containsEntry("field", "description");
            assertThat(description.getMessage()).contains("description", "U+0000");

            MagiException model = failure("name: p\nenabledModels: [ok, \"x\\ty\"]\n");
            assertThat(model.details()).containsEntry("field", "enabledModels[1]");
            assertThat(catchThrowable(() -> ModelProfile.withDefaults("p", "bell\u0007", List.of())))
                    .isInstanceOf(MagiException.class);
        }

        @Test
        @DisplayName("a description with tabs and line breaks survives a round trip")
        void tabsAndLineBreaks() {
            ModelProfile profile = ModelProfile.withDefaults("notes", "one\r\n\ttwo\n", List.of());

            assertThat(ProfileYaml.parse(ProfileYaml.write(profile))).isEqualTo(profile);
            assertThat(ProfileYaml.write(profile)).doesNotContain("!!binary");
        }

        @Test
        @DisplayName("a document that is not a map is refused")
        void notAMap() {
            assertThat(failure("- name: p\n").getMessage()).contains("must be a map");
            assertThat(failure("just text").code()).isEqualTo(ErrorCode.INVALID_PROFILE);
        }

        @Test
        @DisplayName("an empty document is refused")
        void empty() {
            assertThat(failure("").getMessage()).contains("is empty");
            assertThat(failure("# only a comment\n").getMessage()).contains("is empty");
        }

        @Test
        @DisplayName("a syntax error is reported with its line, on one line")
        void syntax() {
            MagiException e = failure("name: p\nenabledModels: [a, b\ntwoStage: {}\n");

            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_PROFILE);
            assertThat(e.getMessage()).contains("not valid YAML", "line ").doesNotContain("\n");
        }

        @Test
        @DisplayName("a key written twice is refused")
        void duplicateKey() {
            assertThat(failure("name: p\nname: q\n").getMessage()).contains("duplicate key");
        }

        @ParameterizedTest(name = "{0}")
        @DisplayName("tags that would construct objects are refused")
        @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
                !!python/object/apply:os.system ['echo pwned']
                !!javax.script.ScriptEngineManager [!!java.net.URLClassLoader [[!!java.net.URL ['http://x/']]]]
                !local {name: p}
                """)
        void tags(String yaml) {
            MagiException e = failure(yaml);

            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_PROFILE);
            assertThat(e.getMessage()).contains("not valid YAML");
        }

        @Test
        @DisplayName("an unknown key is tolerated")
        void unknownKey() {
            assertThat(ProfileYaml.parse("name: p\nversion: 2\ntwoStage: {colour: red}\n"))
                    .isEqualTo(ModelProfile.withDefaults("p", null, null));
        }
    }

    @Nested
    @DisplayName("hostile input")
    class Hostile {

        @Test
        @DisplayName("an alias bomb (9 levels of 9 aliases) fails fast and cleanly")
        void billionLaughs() {
            StringBuilder yaml = new StringBuilder("name: bomb\nl0: &l0 \"lol\"\n");
            for (int level = 1; level <= 9; level++) {
                StringJoiner aliases = new StringJoiner(", ", "[", "]");
                for (int i = 0; i < 9; i++) {
                    aliases.add("*l" + (level - 1));
                }
                yaml.append('l').append(level).append(": &l").append(level).append(' ').append(aliases).append('\n');
            }
            yaml.append("enabledModels: *l9\n");

            MagiException e = assertTimeoutPreemptively(Duration.ofSeconds(2), () -> failure(yaml.toString()));

            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_PROFILE);
            assertThat(e.getMessage()).contains("aliases");
        }

        @Test
        @DisplayName("a self-referencing list is refused without recursing")
        void recursive() {
            MagiException e = failure("name: p\nenabledModels: &a [x, *a]\n");

            assertThat(e.getMessage()).contains("enabledModels[1]", "a list");
        }

        @Test
        @DisplayName("deep nesting is refused")
        void deep() {
            String yaml = "name: p\nenabledModels: " + "[".repeat(5000) + "]".repeat(5000) + "\n";

            MagiException e = assertTimeoutPreemptively(Duration.ofSeconds(2), () -> failure(yaml));

            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_PROFILE);
        }

        @Test
        @DisplayName("a 10 MB text is refused without being parsed")
        void huge() {
            String yaml = "name: p\ndescription: \"" + "x".repeat(10 * 1024 * 1024) + "\"\n";

            MagiException e = assertTimeoutPreemptively(Duration.ofSeconds(2), () -> failure(yaml));

            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_PROFILE);
            assertThat(e.getMessage()).contains("too large");
        }

        @Test
        @DisplayName("a hostile value is not copied whole into the message")
        void longValue() {
            MagiException e = failure("name: p\nloadBalancing: {strategy: " + "z".repeat(100_000) + "}\n");

            assertThat(e.getMessage()).hasSizeLessThan(300);
        }

        @Test
        @DisplayName("null text is refused as empty")
        void nullText() {
            assertThatThrownBy(() -> ProfileYaml.parse(null))
                    .isInstanceOfSatisfying(MagiException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_PROFILE));
        }
    }
}
