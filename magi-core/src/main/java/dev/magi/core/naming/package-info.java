/**
 * Reads what a model's file name says about it: family, version, size, quantization and the
 * thinking, instruct and coder traits, following the naming conventions of llama.cpp and the
 * Hugging Face publishers. Discovery only falls back on these facts where the GGUF header is
 * silent, so the parser is lenient: it guesses nothing it cannot see in the name, answers
 * {@code null} for what is missing and never throws, whatever the input.
 */
package dev.magi.core.naming;
