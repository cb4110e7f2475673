/**
 * Reads the header of a GGUF file (versions 2 and 3, little- and big-endian): its metadata, its
 * tensor infos and where its tensor data starts, without ever touching the tensor data itself.
 *
 * <p>Model files come from anywhere, so {@link dev.magi.core.gguf.GgufReader} treats every file as
 * hostile: each length and count is checked against the bytes the file still holds before anything
 * is allocated, array nesting is bounded, and every malformation ends in a
 * {@link dev.magi.core.gguf.GgufFormatException} that names the problem and its byte offset. Large
 * arrays (tokenizer vocabularies) are skipped by position arithmetic rather than decoded, because a
 * scan reads many headers and only a handful of small values matter to it.
 *
 * <p><b>Internal.</b> Its public types are public only so MAGI's own packages and modules can share
 * them; they are not an API and may change in any release. Hosts reach this through {@link
 * dev.magi.core.engine.MagiEngine}.
 */
package dev.magi.core.gguf;
