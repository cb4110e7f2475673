package dev.magi.core.naming;

import java.util.Objects;

/**
 * What a model file name (or a {@code general.basename}) says about the model. Every field the
 * name does not reveal is {@code null}; the three traits are {@code false} unless a word says so.
 *
 * @param baseName     the name without directories, {@code .gguf} and split suffix
 * @param family       lower case, without the version glued to it ({@code qwen}, {@code gpt-oss})
 * @param version      as written, lower case, {@code v} dropped ({@code 2.5}, {@code r1}, {@code 0.2})
 * @param sizeParams   parameters in billions; the total for mixtures of experts ({@code 8x7B} is 56)
 * @param sizeLabel    the size token with an upper-case unit ({@code 14B}, {@code 8x7B}, {@code 30B-A3B})
 * @param quantization llama.cpp quantization name in lower case ({@code q4_k_m})
 * @param thinking     the name marks a reasoning model ({@code R1}, {@code QwQ}, {@code thinking})
 * @param instruct     the name marks an instruction or chat tuning ({@code instruct}, {@code chat}, {@code it})
 * @param coder        the name marks a code model ({@code coder}, {@code starcoder}, {@code codellama})
 */
public record NameFacts(
        String baseName,
        String family,
        String version,
        Double sizeParams,
        String sizeLabel,
        String quantization,
        boolean thinking,
        boolean instruct,
        boolean coder) {

    public NameFacts {
        Objects.requireNonNull(baseName, "baseName");
        if (sizeParams != null && !(sizeParams > 0 && Double.isFinite(sizeParams))) {
            throw new IllegalArgumentException("sizeParams must be positive and finite: " + sizeParams);
        }
    }
}
