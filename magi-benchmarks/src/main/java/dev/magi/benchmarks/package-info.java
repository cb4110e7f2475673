/**
 * The benchmarks behind BENCHMARKS.md: reading a Qwen-sized GGUF header against a plain buffered
 * read of the same bytes ({@link dev.magi.benchmarks.HeaderReadBenchmark}, JMH), cold scans and
 * rescans of 10,000 files against a bare walk ({@link dev.magi.benchmarks.ScanBenchmark}), and the
 * heap a registry of 10,000 models retains ({@link dev.magi.benchmarks.RegistryHeapBenchmark}).
 *
 * <p>Everything runs from {@code java -jar magi-benchmarks/target/benchmarks.jar <benchmark>}
 * ({@link dev.magi.benchmarks.BenchmarksMain}); nothing here runs in the build's test phase. Each
 * benchmark measures the subject beside its baseline in the same run and reports the ratio, because
 * absolute times on a shared machine say little on their own.
 */
package dev.magi.benchmarks;
