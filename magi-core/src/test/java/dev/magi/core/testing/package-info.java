/**
 * Test support shared through magi-core's test-jar: a writer of real GGUF files, so that readers,
 * discovery and benchmarks are tested against headers built to order (typical models, split
 * parts, a full-size vocabulary, hostile byte sequences) rather than against checked-in binaries;
 * and a fake {@code llama-server} ({@link dev.magi.core.testing.FakeLlamaServer}) started as a real
 * child process, so that supervision is tested against processes, not mock objects.
 *
 * <p>Nothing here depends on a test framework, so the benchmarks module can use it as a library.
 */
package dev.magi.core.testing;
