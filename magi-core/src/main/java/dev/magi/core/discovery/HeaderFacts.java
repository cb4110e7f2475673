package dev.magi.core.discovery;

import dev.magi.core.gguf.GgufHeader;
import dev.magi.core.memory.KvShape;

import java.util.List;
import java.util.Locale;

/**
 * The few facts discovery needs from one file's GGUF header. Kept per file in the scan cache
 * instead of the header itself, so that 10,000 cached files cost kilobytes, not vocabularies.
 */
record HeaderFacts(
        String architecture,
        String type,
        String basename,
        String finetune,
        String sizeLabel,
        String quantization,
        long parameterCount,
        int tensorCount,
        Long contextLength,
        boolean templateSaysThinking,
        long tensorDataOffset,
        Long kvBytesPerToken) {

    /** Markers of a chat template that lets the model think before it answers. */
    private static final List<String> THINKING_MARKERS =
            List.of("<think>", "enable_thinking", "reasoning_content", "[THINK]", "<|channel|>analysis");

    static HeaderFacts of(GgufHeader header) {
        String architecture = header.string("general.architecture").orElse(null);
        Long context = null;
        if (architecture != null) {
            var value = header.integer(architecture + ".context_length");
            context = value.isPresent() ? value.getAsLong() : null;
        }
        String template = header.string("tokenizer.chat_template").orElse("");
        boolean thinking = false;
        for (String marker : THINKING_MARKERS) {
            if (template.contains(marker)) {
                thinking = true;
                break;
            }
        }
        return new HeaderFacts(
                lower(architecture),
                lower(header.string("general.type").orElse(null)),
                header.string("general.basename").orElse(null),
                header.string("general.finetune").orElse(null),
                header.string("general.size_label").orElse(null),
                header.quantization().orElse(null),
                header.parameterCount(),
                header.tensors().size(),
                context,
                thinking,
                header.tensorDataOffset(),
                kvBytesPerToken(header));
    }

    /** The KV cache per token of context; null when the header lacks its shape or gives an absurd one. */
    private static Long kvBytesPerToken(GgufHeader header) {
        try {
            return KvShape.of(header).map(kv -> kv.bytesFor(1)).orElse(null);
        } catch (ArithmeticException e) {
            return null;
        }
    }

    private static String lower(String text) {
        return text == null ? null : text.toLowerCase(Locale.ROOT);
    }
}
