package dev.magi.benchmarks.stores;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Keeps the store benchmark runnable: every store on a tiny registry, checking what it measured and
 * that it cleaned up. No timing assertion: the figures come from running it by hand (BENCHMARKS.md).
 */
@DisplayName("The store benchmark, on tiny registries")
class StoreBenchmarkSmokeTest {

    @TempDir
    Path dir;

    @Test
    @DisplayName("measures every store at every size, in a fresh JVM too, and deletes its directories")
    void runs() throws Exception {
        var options = new StoreBenchmark.Options(List.of("json", "yaml", "h2"), List.of(12, 30), 2, 3, 2, 1, dir);
        List<StoreBenchmark.Row> rows = StoreBenchmark.run(options, new PrintStream(OutputStream.nullOutputStream()));

        assertThat(rows).extracting(StoreBenchmark.Row::store).containsExactly("json", "yaml", "h2", "json", "yaml", "h2");
        assertThat(rows).extracting(StoreBenchmark.Row::models).containsExactly(12, 12, 12, 30, 30, 30);
        for (StoreBenchmark.Row row : rows) {
            assertThat(row.update().nanos()).as(row.store()).hasSize(3);
            assertThat(row.warmLoad().nanos()).as(row.store()).hasSize(2);
            assertThat(row.freshLoad().nanos()).as(row.store()).hasSize(1);
            assertThat(row.bytesOnDisk()).as(row.store()).isPositive();
        }
        assertThat(dir).isEmptyDirectory();
    }

    @Test
    @DisplayName("builds registries of distinct models of the size asked")
    void registry() {
        assertThat(StoreBenchmark.registry(10_000).models()).hasSize(10_000);
    }
}
