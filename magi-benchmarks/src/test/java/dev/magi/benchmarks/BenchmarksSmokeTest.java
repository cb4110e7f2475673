package dev.magi.benchmarks;

import dev.magi.core.discovery.ModelScanner;
import dev.magi.standalone.browser.HeadlessChromium;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Keeps the benchmarks runnable: each one on a tiny input, once, checking what it saw and that it
 * cleaned up. Deliberately no timing assertion: the build runs on shared machines, and the figures
 * come from running the benchmarks by hand (BENCHMARKS.md).
 */
@DisplayName("The benchmarks, on tiny inputs")
class BenchmarksSmokeTest {
    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

    @TempDir
    Path dir;

    @Test
    @DisplayName("the model tree holds the files asked for, every one a model, and is deleted on close")
    void modelTree() throws Exception {
        Path root;
        try (ModelTree tree = ModelTree.create(dir, 45)) {
            root = tree.root();
            try (Stream<Path> files = Files.walk(root)) {
                assertThat(files.filter(Files::isRegularFile)).hasSize(45)
                        .allMatch(file -> file.getFileName().toString().endsWith(".gguf"));
            }
            assertThat(ScanBenchmark.walkAndStat(root)).isEqualTo(45);
            var scan = new ModelScanner().scan(root);
            assertThat(scan.models()).hasSize(45);
            assertThat(scan.skipped()).isEmpty();
            assertThat(ScanBenchmark.mergeIntoEmptyRegistry(scan).modelsFound()).isEqualTo(45);
        }
        assertThat(root).doesNotExist();
        assertThat(dir).isEmptyDirectory();
    }

    @Test
    @DisplayName("the scan harness runs every operation in every round and checks the counts")
    void scan() throws Exception {
        ScanBenchmark.Result result = ScanBenchmark.run(40, 1, 2, 0, dir, QUIET);
        assertThat(result.walk().size()).isEqualTo(2);
        assertThat(result.coldScan().size()).isEqualTo(2);
        assertThat(result.coldScanMerge().size()).isEqualTo(2);
        assertThat(result.scannerRescan().size()).isEqualTo(2);
        assertThat(result.engineRescan().size()).isEqualTo(2);
        assertThat(dir).isEmptyDirectory();
    }

    @Test
    @DisplayName("the heap harness builds a registry of every model and measures it")
    void heap() throws Exception {
        RegistryHeapBenchmark.Result result = RegistryHeapBenchmark.run(40, dir, QUIET);
        assertThat(result.models()).isEqualTo(40);
        assertThat(dir).isEmptyDirectory();
    }

    @Test
    @DisplayName("the registry GET harness loads MAGI and the bare Jetty baseline with the same bytes")
    void apiRegistry() throws Exception {
        RegistryGetBenchmark.Result result = RegistryGetBenchmark.run(12, 2, 200, 100, 2, dir, true, 0, QUIET);
        assertThat(result.models()).isEqualTo(12);
        assertThat(result.bytes()).isPositive();
        assertThat(Arrays.stream(result.magi())).hasSize(2).allMatch(rate -> rate > 0);
        assertThat(Arrays.stream(result.baseline())).hasSize(2).allMatch(rate -> rate > 0);
        assertThat(Arrays.stream(result.prototype())).hasSize(2).allMatch(rate -> rate > 0);
        assertThat(dir).isEmptyDirectory();
    }

    @Test
    @DisplayName("the gateway harness calls the fake directly and through MAGI, and serves a flood with one start")
    void gateway() throws Exception {
        GatewayBenchmark.Result result = GatewayBenchmark.run(List.of("--connections", "2", "--trial-ms", "200",
                "--trials", "1", "--streams", "3", "--cold-runs", "1", "--queued", "20", "--load-ms", "50",
                "--warmup-ms", "200", "--dir", dir.toString()), QUIET);
        assertThat(result).isEqualTo(new GatewayBenchmark.Result(20, 0, 1));
        assertThat(dir).isEmptyDirectory();
    }

    @Test
    @DisplayName("the tier PUT harness times every request and every part of a save")
    void apiTier() throws Exception {
        TierPutBenchmark.Result result = TierPutBenchmark.run(12, 4, 10, 5, dir, QUIET);
        assertThat(result.put().size()).isEqualTo(10);
        assertThat(result.parts()).isNotEmpty().allMatch(part -> part.size() == 5);
        assertThat(result.registryFileBytes()).isPositive();
        assertThat(dir).isEmptyDirectory();
    }

    @Test
    @DisplayName("the startup harness starts MAGI as a process, gets its first answers and stops it")
    void apiStartup() throws Exception {
        // The shaded jar may not be built yet when this module is tested alone: the same main class
        // from this test's classpath is what the harness needs to be checked on.
        List<String> launch = List.of(StartupBenchmark.java(), "-cp", System.getProperty("java.class.path"),
                "dev.magi.standalone.MagiMain");
        StartupBenchmark.Result result = StartupBenchmark.run(launch, 12, 1, dir, false, true, QUIET);
        assertThat(result.health().size()).isEqualTo(1);
        assertThat(result.registry().nanos(0)).isGreaterThanOrEqualTo(result.health().nanos(0));
        assertThat(result.version().size()).isEqualTo(1);
        // The archive (--cds 1) needs a classpath of jars only, which a test's classes directories are not.
        assertThat(result.cdsHealth().size()).isZero();
        assertThat(dir).isEmptyDirectory();
    }

    @Test
    @DisplayName("both header benchmarks read the Qwen-sized file")
    void header() throws Exception {
        HeaderReadBenchmark benchmark = new HeaderReadBenchmark();
        benchmark.writeFile();
        try {
            assertThat(benchmark.bufferedReadOfHeaderBytes()).isPositive();
            assertThat(benchmark.ggufReader().metadata()).containsKey("tokenizer.ggml.tokens");
        } finally {
            benchmark.deleteFile();
        }
    }

    @Test
    @DisplayName("the WebUI harness loads the page with every model and sees server changes reach it")
    void webUi() throws Exception {
        HeadlessChromium.whyUnavailable().ifPresent(why -> assumeTrue(false, why));
        WebUiBenchmark.Result result = WebUiBenchmark.run(30, 1, 1, dir, QUIET);
        assertThat(result.models()).isEqualTo(30);
        assertThat(result.interactive().size()).isEqualTo(1);
        assertThat(result.readyToFrame().size()).isEqualTo(1);
        assertThat(result.stoppedToFrame().size()).isEqualTo(1);
        assertThat(dir).isEmptyDirectory();
    }

    @Test
    @DisplayName("medians and per-round ratios")
    void samples() {
        Samples baseline = new Samples("baseline");
        Samples subject = new Samples("subject");
        long[][] rounds = {{10, 30}, {20, 40}, {40, 60}};
        for (long[] round : rounds) {
            baseline.add(round[0] * 1_000_000);
            subject.add(round[1] * 1_000_000);
        }
        assertThat(baseline.medianMillis()).isEqualTo(20.0);
        assertThat(subject.medianRatioTo(baseline)).isEqualTo(2.0);
        assertThat(Samples.median(new double[] {1, 2, 3, 4})).isEqualTo(2.5);
        Samples hundred = new Samples("1..100 ms");
        for (long ms = 100; ms >= 1; ms--) {
            hundred.add(ms * 1_000_000);
        }
        assertThat(hundred.percentileMillis(90)).isEqualTo(90.0);
        assertThat(hundred.percentileMillis(99)).isEqualTo(99.0);
        assertThat(hundred.percentileMillis(100)).isEqualTo(100.0);
    }
}
