package dev.magi.core.naming;

/**
 * One word of a model name, in lower case.
 *
 * @param text         the word; for a quantization, its llama.cpp name without any {@code ud-} prefix
 * @param quantization whether the word was read as a quantization name, which keeps it from
 *                     being taken for a family, a size or a trait
 */
record Token(String text, boolean quantization) {
}
