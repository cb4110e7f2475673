/**
 * Reads what a model's file name says about it: family, version, size, quantization and the
 * thinking, instruct and coder traits, following the naming conventions of llama.cpp and the
 * Hugging Face publishers. Discovery only falls back on these facts where the GGUF header is
 * silent, so the parser is lenient: it guesses nothing it cannot see in the name, answers
 * {@code null} for what is missing and never throws, whatever the input.
 *
 * <p><b>Internal.</b> Its public types are public only so MAGI's own packages and modules can share
 * them; they are not an API and may change in any release. Hosts reach this through {@link
 * dev.magi.core.engine.MagiEngine}.
 */
package dev.magi.core.naming;
