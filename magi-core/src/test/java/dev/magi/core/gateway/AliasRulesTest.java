package dev.magi.core.gateway;

import dev.magi.spi.MagiException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("Aliases")
class AliasRulesTest {
    private final Set<String> ids = Set.of("qwen3-4b", "llama-8b");
    private final Map<String, String> inUse = Map.of("gpt-4o-mini", "qwen3-4b");

    @Test
    @DisplayName("accept names OpenAI clients send, and a model's own aliases again")
    void accepted() {
        assertThat(AliasRules.check("qwen3-4b", List.of("gpt-4o-mini", "org/model:latest"), ids, inUse))
                .containsExactly("gpt-4o-mini", "org/model:latest");
        assertThat(AliasRules.check("qwen3-4b", List.of(), ids, inUse)).isEmpty();
    }

    @Test
    @DisplayName("refuse a tier name or auto in any case, a model id, another model's alias, twice the same,"
            + " blanks, spaces, control characters, endless names and endless lists")
    void refused() {
        refusedWith("llama-8b", List.of("FAST"), "tier name or auto");
        refusedWith("llama-8b", List.of("auto"), "tier name or auto");
        refusedWith("llama-8b", List.of("qwen3-4b"), "is a model id");
        refusedWith("llama-8b", List.of("Qwen3-4B"), "is a model id");
        refusedWith("llama-8b", List.of("gpt-4o-mini"), "already an alias of qwen3-4b");
        refusedWith("llama-8b", List.of("x", "x"), "listed twice");
        refusedWith("llama-8b", List.of(" "), "is empty");
        refusedWith("llama-8b", Arrays.asList("ok", null), "null is empty");
        refusedWith("llama-8b", List.of("my model"), "space or a control character");
        refusedWith("llama-8b", List.of("a\u0000b"), "'a?b'");
        refusedWith("llama-8b", List.of("x".repeat(129)), "longer than 128");
        refusedWith("llama-8b", new ArrayList<>(Collections.nCopies(33, "x")), "at most 32");
        assertThatThrownBy(() -> AliasRules.check("llama-8b", null, ids, inUse)).isInstanceOf(MagiException.class);
    }

    private void refusedWith(String modelId, List<String> aliases, String message) {
        assertThatThrownBy(() -> AliasRules.check(modelId, aliases, ids, inUse))
                .isInstanceOfSatisfying(MagiException.class, e -> {
                    assertThat(e.getMessage()).contains(message);
                    assertThat(e.code().httpStatus()).isEqualTo(400);
                });
    }
}
