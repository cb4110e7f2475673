/**
 * The store benchmark behind the "Stores" section of BENCHMARKS.md: for the {@code json},
 * {@code yaml} and {@code h2} stores and registries of 1,000 and 10,000 models, the time of a durable
 * tier change ({@link dev.magi.core.registry.ModelRegistry#setTierOverride}, save included) and of the
 * registry load at start (store opened, registry loaded), warm and in a fresh JVM. Run by hand with
 * {@code java -cp magi-benchmarks/target/benchmarks.jar dev.magi.benchmarks.stores.StoreBenchmark};
 * only a smoke test on tiny inputs runs in the build.
 */
package dev.magi.benchmarks.stores;
