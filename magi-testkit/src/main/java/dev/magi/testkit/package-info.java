/**
 * What a test of MAGI, of a plugin or of a host embedding MAGI needs to build its world: a writer of
 * real GGUF files ({@link dev.magi.testkit.GgufWriter}, over {@link dev.magi.testkit.GgufBytes}), so
 * that readers, discovery and benchmarks work on headers built to order (typical models, split
 * parts, a full-size vocabulary, hostile byte sequences) rather than on checked-in binaries; a fake
 * {@code llama-server} ({@link dev.magi.testkit.FakeLlamaServer}) started as a real child process, so
 * that supervision is tested against processes, not mock objects; where to find the real one
 * ({@link dev.magi.testkit.RealLlamaServer}); free ports, process and shared fixture helpers;
 * {@link dev.magi.testkit.CapturedStderr}, which captures the log so a test can say what was logged
 * and that no stack trace was; and {@link dev.magi.testkit.Eventually}, which waits for a condition
 * instead of sleeping.
 *
 * <p>It depends on magi-spi alone, because magi-core's own tests use it. Nothing here but
 * {@code Eventually}'s failures needs a test framework, so the benchmarks use it as a library.
 *
 * <p><b>Test API.</b> For plugin authors and MAGI's own tests, as one test-scope dependency.
 */
package dev.magi.testkit;
