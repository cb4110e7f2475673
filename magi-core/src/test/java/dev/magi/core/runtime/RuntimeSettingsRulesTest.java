package dev.magi.core.runtime;

import dev.magi.spi.ErrorCode;
import dev.magi.spi.MagiException;
import dev.magi.spi.RuntimeSettings;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

@DisplayName("The rules of a model's extra arguments and environment")
class RuntimeSettingsRulesTest {

    private static MagiException refusal(List<String> args, Map<String, String> env) {
        MagiException e = catchThrowableOfType(MagiException.class,
                () -> RuntimeSettingsRules.check(new RuntimeSettings(null, null, null, null, args, env)));
        assertThat(e).as("refused").isNotNull();
        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
        return e;
    }

    private static void accepted(List<String> args, Map<String, String> env) {
        assertThatCode(() -> RuntimeSettingsRules.check(new RuntimeSettings(null, null, null, null, args, env)))
                .doesNotThrowAnyException();
    }

    @Nested
    @DisplayName("extra arguments")
    class ExtraArgs {
        @Test
        @DisplayName("accept the flags real models need, values with spaces, and none at all")
        void accepted() {
            RuntimeSettingsRulesTest.accepted(List.of("--jinja", "--n-cpu-moe", "20", "--cache-type-k", "q8_0",
                    "-fa", "on", "--chat-template-file", "/templates/with space/模板.jinja", "", "--threads-batch",
                    "8", "-tb", "8", "--port-file-not-a-flag"), Map.of());
            RuntimeSettingsRulesTest.accepted(List.of(), Map.of());
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"--model", "-m", "--host", "--port", "--alias", "-a", "--ctx-size", "-c",
                "--n-gpu-layers", "-ngl", "--gpu-layers", "--threads", "-t", "--batch-size", "-b", "--mmproj", "-mm",
                "--mmproj-url", "-mmu", "--model-url", "-mu", "--hf-repo", "-hf", "-hfr", "--hf-file", "-hff",
                "--docker-repo", "-dr"})
        @DisplayName("refuse a flag MAGI sets itself, naming it")
        void ownedFlag(String flag) {
            MagiException e = refusal(List.of("--jinja", flag, "1"), Map.of());

            assertThat(e.getMessage()).contains("'" + flag + "'").contains("set by MAGI");
            assertThat(e.details()).containsEntry("field", "extraArgs").containsEntry("flag", flag);
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"--port=9000", "--ctx-size=4096", "-ngl=99", "--model=/other.gguf", "-c=1"})
        @DisplayName("refuse a flag MAGI sets itself in its --flag=value form too")
        void ownedFlagWithValue(String argument) {
            String flag = argument.substring(0, argument.indexOf('='));

            MagiException e = refusal(List.of(argument), Map.of());

            assertThat(e.getMessage()).contains("'" + flag + "'");
            assertThat(e.details()).containsEntry("field", "extraArgs").containsEntry("flag", flag);
        }

        @Test
        @DisplayName("accept a value that merely contains an owned flag's text after an equals sign")
        void valueWithEquals() {
            RuntimeSettingsRulesTest.accepted(List.of("--override-kv", "tokenizer.ggml.add_bos_token=bool:false",
                    "a=--port"), Map.of());
        }

        @Test
        @DisplayName("refuse more than 64 arguments")
        void tooMany() {
            RuntimeSettingsRulesTest.accepted(Collections.nCopies(64, "--jinja"), Map.of());

            MagiException e = refusal(Collections.nCopies(65, "--jinja"), Map.of());

            assertThat(e.getMessage()).contains("at most 64").contains("65");
            assertThat(e.details()).containsEntry("field", "extraArgs");
        }

        @Test
        @DisplayName("refuse an argument longer than 4096 characters")
        void tooLong() {
            RuntimeSettingsRulesTest.accepted(List.of("x".repeat(4096)), Map.of());

            MagiException e = refusal(List.of("--jinja", "x".repeat(4097)), Map.of());

            assertThat(e.getMessage()).contains("extraArgs[1]").contains("4096");
            assertThat(e.details()).containsEntry("field", "extraArgs");
        }

        @ParameterizedTest(name = "U+{0}")
        @ValueSource(ints = {0, 9, 10, 13, 27, 127})
        @DisplayName("refuse control characters, NUL included")
        void controlCharacters(int c) {
            MagiException e = refusal(List.of("--alias-not" + (char) c), Map.of());

            assertThat(e.getMessage()).contains("extraArgs[0]").contains(String.format("U+%04X", c));
            assertThat(e.details()).containsEntry("field", "extraArgs");
        }
    }

    @Nested
    @DisplayName("environment")
    class Env {
        @Test
        @DisplayName("accepts ordinary variables, LLAMA_ARG_ ones MAGI does not set, and empty values")
        void accepted() {
            RuntimeSettingsRulesTest.accepted(List.of(), Map.of("CUDA_VISIBLE_DEVICES", "0,1", "_private", "",
                    "LLAMA_ARG_N_CPU_MOE", "20", "LLAMA_ARG_JINJA", "1", "HF_HOME", "/ü/模型"));
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"LLAMA_ARG_MODEL", "LLAMA_ARG_HOST", "LLAMA_ARG_PORT", "LLAMA_ARG_ALIAS",
                "LLAMA_ARG_CTX_SIZE", "LLAMA_ARG_N_GPU_LAYERS", "LLAMA_ARG_THREADS", "LLAMA_ARG_BATCH",
                "LLAMA_ARG_MMPROJ", "LLAMA_ARG_MMPROJ_URL", "LLAMA_ARG_MODEL_URL", "LLAMA_ARG_HF_REPO",
                "LLAMA_ARG_HF_FILE", "LLAMA_ARG_DOCKER_REPO"})
        @DisplayName("refuses a variable that sets what MAGI sets, naming it")
        void owned(String name) {
            MagiException e = refusal(List.of(), Map.of(name, "x"));

            assertThat(e.getMessage()).contains("'" + name + "'").contains("set by MAGI");
            assertThat(e.details()).containsEntry("field", "env").containsEntry("variable", name);
        }

        @ParameterizedTest(name = "\"{0}\"")
        @ValueSource(strings = {"", "1ABC", "A-B", "A B", "A=B", "Ü", "A\u0000B", "$HOME"})
        @DisplayName("refuses a name that is not a variable name")
        void badName(String name) {
            MagiException e = refusal(List.of(), Map.of(name, "x"));

            assertThat(e.getMessage()).contains("not a variable name");
            assertThat(e.details()).containsEntry("field", "env");
        }

        @Test
        @DisplayName("refuses a name longer than 256 characters")
        void longName() {
            RuntimeSettingsRulesTest.accepted(List.of(), Map.of("N".repeat(256), "x"));

            assertThat(refusal(List.of(), Map.of("N".repeat(257), "x")).details()).containsEntry("field", "env");
        }

        @Test
        @DisplayName("refuses a value with a control character or longer than 4096 characters")
        void badValue() {
            MagiException nul = refusal(List.of(), Map.of("A", "x\u0000y"));
            MagiException newline = refusal(List.of(), Map.of("A", "x\ny"));
            MagiException tooLong = refusal(List.of(), Map.of("A", "x".repeat(4097)));

            assertThat(nul.getMessage()).contains("env.A").contains("U+0000");
            assertThat(newline.getMessage()).contains("U+000A");
            assertThat(tooLong.getMessage()).contains("env.A").contains("4096");
            assertThat(List.of(nul, newline, tooLong)).allSatisfy(e -> assertThat(e.details())
                    .containsEntry("field", "env"));
        }

        @Test
        @DisplayName("refuses more than 64 variables")
        void tooMany() {
            Map<String, String> env = new HashMap<>();
            for (int i = 0; i < 65; i++) {
                env.put("V" + i, "x");
            }

            MagiException e = refusal(List.of(), env);

            assertThat(e.getMessage()).contains("at most 64").contains("65");
        }
    }

    @Test
    @DisplayName("settings keep the arguments in order and the variables sorted, and null means none")
    void shape() {
        Map<String, String> unsorted = new HashMap<>(Map.of("B", "2", "A", "1"));
        List<String> args = new ArrayList<>(List.of("-fa", "on"));
        RuntimeSettings settings = new RuntimeSettings(null, null, null, null, args, unsorted);
        args.add("changed later");

        assertThat(settings.extraArgs()).containsExactly("-fa", "on");
        assertThat(settings.env().keySet()).containsExactly("A", "B");
        assertThat(new RuntimeSettings(null, null, null, null, null, null).extraArgs()).isEmpty();
        assertThat(new RuntimeSettings(null, null, null, null, null, null).env()).isEmpty();
        assertThat(new RuntimeSettings(1, 2, 3, 4)).isEqualTo(new RuntimeSettings(1, 2, 3, 4, List.of(), Map.of()));
    }
}
