package dev.magi.core.naming;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.converter.ConvertWith;
import org.junit.jupiter.params.converter.TypedArgumentConverter;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

@DisplayName("FileNameParser")
class FileNameParserTest {

    /** Reads the yes/no columns of the examples table (docs/discovery.md) as they are written there. */
    static class YesNo extends TypedArgumentConverter<String, Boolean> {
        YesNo() {
            super(String.class, Boolean.class);
        }

        @Override
        protected Boolean convert(String source) {
            return switch (source) {
                case "yes" -> true;
                case "no" -> false;
                default -> throw new IllegalArgumentException("expected yes or no: " + source);
            };
        }
    }

    @Nested
    @DisplayName("the examples of docs/discovery.md")
    class DocumentedExamples {

        @ParameterizedTest(name = "{0}")
        @DisplayName("every row comes out as the table says, from the name alone")
        @CsvSource(delimiter = '|', nullValues = "null", textBlock = """
                qwen2.5-coder-14b-instruct-q4_k_m.gguf   | qwen      | 2.5  | 14    | q4_k_m | no  | yes | yes
                DeepSeek-R1-Distill-Qwen-14B-Q4_K_M.gguf | deepseek  | r1   | 14    | q4_k_m | yes | no  | no
                Qwen3-4B-Q4_K_M.gguf                     | qwen      | 3    | 4     | q4_k_m | no  | no  | no
                Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf   | llama     | 3.1  | 8     | q4_k_m | no  | yes | no
                mistral-7b-instruct-v0.2.Q4_K_M.gguf     | mistral   | 0.2  | 7     | q4_k_m | no  | yes | no
                gemma-2-9b-it-Q6_K.gguf                  | gemma     | 2    | 9     | q6_k   | no  | yes | no
                Mixtral-8x7B-Instruct-v0.1-Q4_K_M.gguf   | mixtral   | 0.1  | 56    | q4_k_m | no  | yes | no
                Qwen3-30B-A3B-Q4_K_M.gguf                | qwen      | 3    | 30    | q4_k_m | no  | no  | no
                qwen2.5-0.5b-instruct-q8_0.gguf          | qwen      | 2.5  | 0.5   | q8_0   | no  | yes | no
                SmolLM2-135M-Instruct-Q8_0.gguf          | smollm    | 2    | 0.135 | q8_0   | no  | yes | no
                gpt-oss-20b-MXFP4.gguf                   | gpt-oss   | null | 20    | mxfp4  | no  | no  | no
                starcoder2-15b-Q4_K_M.gguf               | starcoder | 2    | 15    | q4_k_m | no  | no  | yes
                llama-3-8b-IQ4_XS.gguf                   | llama     | 3    | 8     | iq4_xs | no  | no  | no
                QwQ-32B-Q4_K_M.gguf                      | qwq       | null | 32    | q4_k_m | yes | no  | no
                tinyllama-1.1b-chat-v1.0.Q4_K_M.gguf     | tinyllama | 1.0  | 1.1   | q4_k_m | no  | yes | no
                """)
        void everyRow(String fileName, String family, String version, Double sizeParams, String quantization,
                      @ConvertWith(YesNo.class) boolean thinking,
                      @ConvertWith(YesNo.class) boolean instruct,
                      @ConvertWith(YesNo.class) boolean coder) {
            NameFacts facts = FileNameParser.parse(fileName);

            assertThat(facts)
                    .extracting(NameFacts::family, NameFacts::version, NameFacts::sizeParams, NameFacts::quantization,
                            NameFacts::thinking, NameFacts::instruct, NameFacts::coder)
                    .containsExactly(family, version, sizeParams, quantization, thinking, instruct, coder);
        }
    }

    @Nested
    @DisplayName("quantization")
    class Quantization {

        @ParameterizedTest(name = "{0} -> {1}")
        @DisplayName("is the last quantization name, in lower case")
        @CsvSource(delimiter = '|', textBlock = """
                Qwen3-8B-UD-Q4_K_XL.gguf          | q4_k_xl
                DeepSeek-R1-UD-IQ1_S.gguf         | iq1_s
                model-ud_q5_k_xl.gguf             | q5_k_xl
                model-F16-Q4_K_M.gguf             | q4_k_m
                Llama-3.2-1B-Instruct-bf16.gguf   | bf16
                model-Iq2_XxS.gguf                | iq2_xxs
                model-Q2_K_S.gguf                 | q2_k_s
                model-Q2_K.gguf                   | q2_k
                gpt-oss-120b-MXFP4_MOE.gguf       | mxfp4_moe
                Bitnet-TQ1_0.gguf                 | tq1_0
                model-Q6_K_L.gguf                 | q6_k_l
                model-UD-Q2_K_XL.gguf             | q2_k_xl
                """)
        void lastQuantizationName(String fileName, String quantization) {
            assertThat(FileNameParser.parse(fileName).quantization()).isEqualTo(quantization);
        }

        @ParameterizedTest(name = "{0}")
        @DisplayName("is only recognised as a whole word")
        @ValueSource(strings = {"bf16x-model.gguf", "model-q4_kmm.gguf", "model-Q4.gguf", "xq8_0.gguf", "model-ud.gguf"})
        void onlyWholeWords(String fileName) {
            assertThat(FileNameParser.parse(fileName).quantization()).isNull();
        }

        @Test
        @DisplayName("a ud- prefix does not leave a word behind")
        void unslothPrefixIsNoWord() {
            NameFacts facts = FileNameParser.parse("Qwen3-8B-UD-Q4_K_XL.gguf");

            assertThat(facts.family()).isEqualTo("qwen");
            assertThat(facts.sizeParams()).isEqualTo(8.0);
        }

        @Test
        @DisplayName("isQuantizationName accepts the list in any case, and nothing else")
        void isQuantizationName() {
            assertThat(Stream.of("q4_k_m", "Q4_K_M", "IQ4_XS", "f32", "MXFP4_MOE", "q8_k_xl"))
                    .allMatch(FileNameParser::isQuantizationName);
            assertThat(Stream.of("q4_k", "UD-Q4_K_XL", "q4_k_m.gguf", "fp16", "", "instruct"))
                    .noneMatch(FileNameParser::isQuantizationName);
            assertThat(FileNameParser.isQuantizationName(null)).isFalse();
        }
    }

    @Nested
    @DisplayName("size")
    class Size {

        @ParameterizedTest(name = "{0} -> {1} ({2})")
        @DisplayName("is read in billions, with its label")
        @CsvSource(delimiter = '|', textBlock = """
                Qwen2.5-1.5B-Instruct-Q4_K_M.gguf  | 1.5     | 1.5B
                gemma-3-270m-it-Q8_0.gguf          | 0.27    | 270M
                SmolLM2-135M-Instruct-Q8_0.gguf    | 0.135   | 135M
                Mixtral-8x22B-v0.1-Q4_K_M.gguf     | 176     | 8x22B
                Qwen3-235B-A22B-Q4_K_M.gguf        | 235     | 235B-A22B
                Qwen3-30B-A3B-Q4_K_M.gguf          | 30      | 30B-A3B
                tinyllama-1.1b-chat-v1.0.Q4_K_M    | 1.1     | 1.1B
                stories-260K.gguf                  | 0.00026 | 260K
                """)
        void inBillions(String fileName, double sizeParams, String sizeLabel) {
            NameFacts facts = FileNameParser.parse(fileName);

            assertThat(facts.sizeParams()).isEqualTo(sizeParams);
            assertThat(facts.sizeLabel()).isEqualTo(sizeLabel);
        }

        @Test
        @DisplayName("prefers billions to a context length written in millions or thousands")
        void billionsBeforeContextLength() {
            assertThat(FileNameParser.parse("Qwen2.5-7B-Instruct-1M-Q4_K_M.gguf").sizeLabel()).isEqualTo("7B");
            assertThat(FileNameParser.parse("model-128k-3B.gguf").sizeLabel()).isEqualTo("3B");
        }

        @ParameterizedTest(name = "{0}")
        @DisplayName("is not taken from versions, quantizations or absurd numbers")
        @ValueSource(strings = {"Llama-3.1-Q8_0.gguf", "model-v0.2-F16.gguf", "model-0B.gguf",
                "model-A3B.gguf", "model-1234567890123B.gguf"})
        void notFromOtherTokens(String fileName) {
            assertThat(FileNameParser.parse(fileName).sizeParams()).isNull();
            assertThat(FileNameParser.parse(fileName).sizeLabel()).isNull();
        }
    }

    @Nested
    @DisplayName("family and version")
    class FamilyAndVersion {

        @ParameterizedTest(name = "{0} -> {1} {2}")
        @DisplayName("come from the first word that is no publisher")
        @CsvSource(delimiter = '|', nullValues = "null", textBlock = """
                bartowski-Qwen2.5-7B-Instruct-Q4_K_M.gguf          | qwen      | 2.5
                lmstudio-community_gemma-2-9b-it-Q4_K_M.gguf       | gemma     | 2
                microsoft-Phi-3.5-mini-instruct-Q4_K_M.gguf        | phi       | 3.5
                unsloth.Llama3.2-3B.gguf                           | llama     | 3.2
                c4ai-command-r-v01-Q4_K_M.gguf                     | command-r | 01
                gpt-j-6b.gguf                                      | gpt-j     | null
                DeepSeek-V3-0324-Q4_K_M.gguf                       | deepseek  | 3
                deepseek-coder-6.7b-instruct.Q4_K_M.gguf           | deepseek  | null
                deepseek-coder-v2-lite-instruct-Q4_K_M.gguf        | deepseek  | 2
                Llama-3.1-8B-Instruct-v2-Q4_K_M.gguf               | llama     | 3.1
                mistral-7b-Q4_K_M.gguf                             | mistral   | null
                """)
        void firstWordThatIsNoPublisher(String fileName, String family, String version) {
            NameFacts facts = FileNameParser.parse(fileName);

            assertThat(facts.family()).isEqualTo(family);
            assertThat(facts.version()).isEqualTo(version);
        }

        @Test
        @DisplayName("a general.basename with spaces reads like a file name")
        void basenameWithSpaces() {
            NameFacts facts = FileNameParser.parse("Qwen2.5 Coder 7B Instruct");

            assertThat(facts.family()).isEqualTo("qwen");
            assertThat(facts.version()).isEqualTo("2.5");
            assertThat(facts.sizeParams()).isEqualTo(7.0);
            assertThat(facts.coder()).isTrue();
            assertThat(facts.instruct()).isTrue();
        }

        @ParameterizedTest(name = "{0}")
        @DisplayName("directories in front of the name are ignored")
        @ValueSource(strings = {"/models/qwen/Qwen3-4B-Q4_K_M.gguf", "C:\\models\\Qwen3-4B-Q4_K_M.gguf"})
        void directoriesIgnored(String path) {
            NameFacts facts = FileNameParser.parse(path);

            assertThat(facts.baseName()).isEqualTo("Qwen3-4B-Q4_K_M");
            assertThat(facts.family()).isEqualTo("qwen");
        }

        @ParameterizedTest(name = "{0}")
        @DisplayName("a name that starts with a size, a version or a quantization has no family")
        @ValueSource(strings = {"7B-Q4_K_M.gguf", "v2-model.gguf", "Q8_0.gguf", "bartowski-13b.gguf"})
        void noFamily(String fileName) {
            assertThat(FileNameParser.parse(fileName).family()).isNull();
        }
    }

    @Nested
    @DisplayName("traits")
    class Traits {

        @ParameterizedTest(name = "{0}")
        @DisplayName("thinking is said by a whole word or the family qwq")
        @ValueSource(strings = {"model-thinking-4b.gguf", "Qwen3-4B-Thinking-2507-Q4_K_M.gguf", "QwQ-32B.gguf",
                "qwq.gguf", "some-reasoning-model.gguf", "model_think_7b.gguf", "DeepSeek-R1-0528.gguf",
                "o1-mini.gguf"})
        void thinking(String fileName) {
            assertThat(FileNameParser.parse(fileName).thinking()).isTrue();
        }

        @ParameterizedTest(name = "{0}")
        @DisplayName("thinking is not found inside other words")
        @ValueSource(strings = {"starcoder1-3b.gguf", "rethinking-7b.gguf", "thinker-7b.gguf", "Qwen3-4B-Q4_K_M.gguf"})
        void notThinking(String fileName) {
            assertThat(FileNameParser.parse(fileName).thinking()).isFalse();
        }

        @ParameterizedTest(name = "{0}")
        @DisplayName("instruct is said by instruct, chat or it as a word")
        @ValueSource(strings = {"gemma-2-9b-it-Q6_K.gguf", "Llama-2-7b-chat.Q4_K_M.gguf", "model-Instruct.gguf",
                "model_IT_q4_0.gguf"})
        void instruct(String fileName) {
            assertThat(FileNameParser.parse(fileName).instruct()).isTrue();
        }

        @ParameterizedTest(name = "{0}")
        @DisplayName("instruct is not found inside other words")
        @ValueSource(strings = {"openchat-3.5-7b.Q4_K_M.gguf", "italian-llama-7b.gguf", "chatty-7b.gguf",
                "instructor-7b.gguf"})
        void notInstruct(String fileName) {
            assertThat(FileNameParser.parse(fileName).instruct()).isFalse();
        }

        @ParameterizedTest(name = "{0}")
        @DisplayName("coder is said by a code word or a code family")
        @ValueSource(strings = {"codestral-22b-v0.1-Q4_K_M.gguf", "CodeLlama-7b-Instruct.Q4_K_M.gguf",
                "Qwen2.5-Coder-7B-Instruct-Q4_K_M.gguf", "starcoder2-3b.gguf", "stable-code-3b.gguf"})
        void coder(String fileName) {
            assertThat(FileNameParser.parse(fileName).coder()).isTrue();
        }

        @ParameterizedTest(name = "{0}")
        @DisplayName("coder is not found inside other words")
        @ValueSource(strings = {"encoder-model-1b.gguf", "decoder-7b.gguf", "Qwen3-4B-Q4_K_M.gguf"})
        void notCoder(String fileName) {
            assertThat(FileNameParser.parse(fileName).coder()).isFalse();
        }
    }

    @Nested
    @DisplayName("split suffix and base name")
    class SplitAndBaseName {

        @Test
        @DisplayName("a split part gives its number and count, and the base name loses the suffix")
        void splitPart() {
            String fileName = "Llama-70B-Q4_K_M-00002-of-00005.gguf";

            assertThat(FileNameParser.splitSuffix(fileName)).contains(new SplitSuffix(2, 5));
            assertThat(FileNameParser.baseName(fileName)).isEqualTo("Llama-70B-Q4_K_M");
            NameFacts facts = FileNameParser.parse(fileName);
            assertThat(facts.baseName()).isEqualTo("Llama-70B-Q4_K_M");
            assertThat(facts.quantization()).isEqualTo("q4_k_m");
            assertThat(facts.sizeParams()).isEqualTo(70.0);
        }

        @Test
        @DisplayName("the suffix is found with or without the extension")
        void withoutExtension() {
            assertThat(FileNameParser.splitSuffix("Model-00001-of-00003")).contains(new SplitSuffix(1, 3));
            assertThat(FileNameParser.splitSuffix("Model-00003-OF-00003.GGUF")).contains(new SplitSuffix(3, 3));
        }

        @ParameterizedTest(name = "[{index}] {0}")
        @DisplayName("numbers gguf-split never writes are part of the name")
        @ValueSource(strings = {"Model-00000-of-00002.gguf", "Model-00003-of-00002.gguf", "Model-001-of-003.gguf",
                "Model-00001-of-00003.gguf.part", "Model.gguf", "-of-.gguf", ""})
        void notASplit(String fileName) {
            assertThat(FileNameParser.splitSuffix(fileName)).isEmpty();
        }

        @Test
        @DisplayName("an impossible part is refused by SplitSuffix itself")
        void impossiblePart() {
            assertThatIllegalArgumentException().isThrownBy(() -> new SplitSuffix(0, 3));
            assertThatIllegalArgumentException().isThrownBy(() -> new SplitSuffix(4, 3));
            assertThat(new SplitSuffix(1, 3).isFirst()).isTrue();
        }

        @ParameterizedTest(name = "{0}")
        @DisplayName("the extension is stripped in any letter case")
        @ValueSource(strings = {"Qwen3-4B-Q4_K_M.gguf", "Qwen3-4B-Q4_K_M.GGUF", "Qwen3-4B-Q4_K_M.Gguf",
                "Qwen3-4B-Q4_K_M"})
        void extensionAnyCase(String fileName) {
            NameFacts facts = FileNameParser.parse(fileName);

            assertThat(facts.baseName()).isEqualTo("Qwen3-4B-Q4_K_M");
            assertThat(facts.quantization()).isEqualTo("q4_k_m");
        }
    }

    @Nested
    @DisplayName("unusual input")
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    class UnusualInput {

        @ParameterizedTest(name = "\"{0}\"")
        @DisplayName("a name with no recognisable parts gives nulls and no traits")
        @NullAndEmptySource
        @ValueSource(strings = {"%%%.gguf", "---", "12345.gguf", ".gguf", "...", " ", "_-_. -"})
        void nothingRecognisable(String fileName) {
            NameFacts facts = FileNameParser.parse(fileName);

            assertThat(facts).isEqualTo(new NameFacts(facts.baseName(), null, null, null, null, null,
                    false, false, false));
        }

        @ParameterizedTest(name = "[{index}]")
        @DisplayName("no input makes any method throw")
        @MethodSource("dev.magi.core.naming.FileNameParserTest#garbage")
        void neverThrows(String name) {
            assertThatCode(() -> {
                FileNameParser.parse(name);
                FileNameParser.baseName(name);
                FileNameParser.splitSuffix(name);
                FileNameParser.isQuantizationName(name);
            }).doesNotThrowAnyException();
        }

        @Test
        @DisplayName("random names never make it throw")
        void randomNames() {
            String alphabet = "abqkmxvrudiIQKBM0123456789.-_ /\\\u00e9\u0130\u6a21";
            Random random = new Random(20260101);
            for (int n = 0; n < 50_000; n++) {
                StringBuilder name = new StringBuilder();
                int length = random.nextInt(40);
                for (int i = 0; i < length; i++) {
                    name.append(alphabet.charAt(random.nextInt(alphabet.length())));
                }
                String candidate = name + (random.nextBoolean() ? ".gguf" : "");
                assertThatCode(() -> FileNameParser.parse(candidate))
                        .as(candidate)
                        .doesNotThrowAnyException();
            }
        }

        @Test
        @DisplayName("non-Latin names keep what can be read")
        void nonLatin() {
            NameFacts facts = FileNameParser.parse("\u6a21\u578b-7B-Q4_K_M.gguf");

            assertThat(facts.family()).isEqualTo("\u6a21\u578b");
            assertThat(facts.sizeParams()).isEqualTo(7.0);
            assertThat(facts.quantization()).isEqualTo("q4_k_m");
        }
    }

    static Stream<String> garbage() {
        List<String> names = new ArrayList<>(List.of(
                "", ".", "..", "....", ".gguf", ".GGUF", "gguf", "-", "_", " ", "\u0000", "\t\n",
                "-00001-of-00002.gguf", "ud-", "ud_", "UD-.gguf", "x-", "v", "v.", "r", "a3b", "8x", "8xb", "x7b",
                "0.0b", "00000b", "1.b", ".5b", "7b-a", "7b-ab", "\uD83D\uDE00-q4_k_m", "\uD83D", "\uDE00",
                "\u0130stanbul-7B", "qwen\uFF12.5", "\u0661\u0662b", "/", "\\", "a/", "dir/.gguf",
                "a".repeat(10_000),
                "9".repeat(10_000) + "b",
                "v" + "9".repeat(10_000),
                "qwen" + "9".repeat(10_000),
                "1.".repeat(5_000),
                "q4_k_m-".repeat(2_000),
                "ud-".repeat(3_000),
                "-".repeat(10_000),
                "8x".repeat(5_000) + "7b",
                "\u0130".repeat(10_000),
                "Qwen3-30B-A3B-".repeat(700) + "Q4_K_M-00001-of-00002.gguf"));
        names.add(null);
        return names.stream();
    }
}
