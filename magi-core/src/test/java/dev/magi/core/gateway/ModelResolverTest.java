package dev.magi.core.gateway;

import dev.magi.spi.DiscoveredModel;
import dev.magi.spi.Tier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Map;

import static dev.magi.core.gateway.Models.byId;
import static dev.magi.core.gateway.Models.model;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("Resolving a request's model name")
class ModelResolverTest {
    private final Map<String, DiscoveredModel> models = byId(model("qwen3-4b-q4_k_m", Tier.FAST, true),
            model("llama-3.1-8b-q4_k_m", Tier.BALANCED, false), model("qwen3-32b-q4_k_m", Tier.POWERFUL, true));
    private final Map<String, String> aliases = Map.of("gpt-4o-mini", "qwen3-4b-q4_k_m");

    @Test
    @DisplayName("takes a model id first, enabled or not, then an id written in another case")
    void modelId() {
        assertThat(ModelResolver.resolve("qwen3-4b-q4_k_m", models, aliases))
                .isEqualTo(new Target.Model("qwen3-4b-q4_k_m", Route.MODEL));
        assertThat(ModelResolver.resolve("llama-3.1-8b-q4_k_m", models, aliases)).as("disabled")
                .isEqualTo(new Target.Model("llama-3.1-8b-q4_k_m", Route.MODEL));
        assertThat(ModelResolver.resolve("Qwen3-4B-Q4_K_M", models, aliases))
                .isEqualTo(new Target.Model("qwen3-4b-q4_k_m", Route.MODEL));
    }

    @Test
    @DisplayName("then an alias, then a tier name in any case, then auto")
    void aliasTierAuto() {
        assertThat(ModelResolver.resolve("gpt-4o-mini", models, aliases))
                .isEqualTo(new Target.Model("qwen3-4b-q4_k_m", Route.ALIAS));
        assertThat(ModelResolver.resolve("fast", models, aliases)).isEqualTo(new Target.OfTier(Tier.FAST));
        assertThat(ModelResolver.resolve("POWERFUL", models, aliases)).isEqualTo(new Target.OfTier(Tier.POWERFUL));
        assertThat(ModelResolver.resolve("Balanced", models, aliases)).isEqualTo(new Target.OfTier(Tier.BALANCED));
        assertThat(ModelResolver.resolve("auto", models, aliases)).isEqualTo(new Target.Auto());
        assertThat(ModelResolver.resolve("AUTO", models, aliases)).isEqualTo(new Target.Auto());
    }

    @Test
    @DisplayName("ignores an alias left pointing at a model that is gone")
    void staleAlias() {
        assertThatThrownBy(() -> ModelResolver.resolve("old", models, Map.of("old", "deleted-model")))
                .isInstanceOfSatisfying(GatewayException.class,
                        e -> assertThat(e.error()).isEqualTo(GatewayError.MODEL_NOT_FOUND));
    }

    @ParameterizedTest(name = "''{0}''")
    @DisplayName("answers model_required for a missing or blank name")
    @ValueSource(strings = {"", "   ", "\t"})
    void required(String name) {
        for (String asked : new String[] {name, null}) {
            assertThatThrownBy(() -> ModelResolver.resolve(asked, models, aliases))
                    .isInstanceOfSatisfying(GatewayException.class, e -> {
                        assertThat(e.error()).isEqualTo(GatewayError.MODEL_REQUIRED);
                        assertThat(e.error().httpStatus()).isEqualTo(400);
                        assertThat(e.error().type().wireName()).isEqualTo("invalid_request_error");
                        assertThat(e.param()).isEqualTo("model");
                    });
        }
    }

    @Test
    @DisplayName("answers model_not_found naming close ids, at most five, the closest first")
    void notFound() {
        assertThatThrownBy(() -> ModelResolver.resolve("qwen3-4b-q4_k_s", models, aliases))
                .isInstanceOfSatisfying(GatewayException.class, e -> {
                    assertThat(e.error()).isEqualTo(GatewayError.MODEL_NOT_FOUND);
                    assertThat(e.error().httpStatus()).isEqualTo(404);
                    assertThat(e.getMessage()).contains("'qwen3-4b-q4_k_s'")
                            .contains("close: qwen3-4b-q4_k_m, qwen3-32b-q4_k_m");
                });
        assertThatThrownBy(() -> ModelResolver.resolve("gpt-5", models, aliases))
                .hasMessage("The model 'gpt-5' does not exist");
        List<String> many = List.of("m-1", "m-2", "m-3", "m-4", "m-5", "m-6", "m-7");
        assertThat(ModelResolver.closeIds("m", many)).hasSize(5);
        assertThat(ModelResolver.closeIds("qwen", List.of("zeta", "qwen3-4b", "qwen2"))).containsExactly("qwen2",
                "qwen3-4b");
    }

    @Test
    @DisplayName("echoes a hostile name without its control characters and cut to a readable length")
    void hostileName() {
        String name = "a\u0000b\nc" + "x".repeat(10_000);
        assertThatThrownBy(() -> ModelResolver.resolve(name, models, aliases))
                .isInstanceOfSatisfying(GatewayException.class, e -> {
                    assertThat(e.getMessage()).doesNotContain("\u0000").doesNotContain("\n").contains("a?b?c");
                    assertThat(e.getMessage().length()).isLessThan(400);
                });
    }
}
