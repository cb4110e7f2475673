package dev.magi.benchmarks;

import dev.magi.core.gguf.GgufHeader;
import dev.magi.core.gguf.GgufReader;
import dev.magi.testkit.GgufWriter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Reading the header of a GGUF file with a Qwen-sized tokenizer (150,000 tokens, scores and token
 * types, 150,000 merges: about 6 MB of header) with {@link GgufReader}, beside reading the same
 * number of bytes with a plain {@link BufferedInputStream} into a discarded buffer.
 *
 * <p>The baseline is the cheapest honest way to get the header's bytes off the page cache into
 * Java; the reader does more (it parses every key and checks every length) but may also do less,
 * since fixed-size arrays (scores, token types) are skipped by position without being read. The
 * file carries its tensor data after the header, as a real file does, so that the reader's last
 * window refill reads tensor bytes it will not use, as it would on a real file.
 *
 * <p>Both benchmarks run in the same JMH run, in forked JVMs, with the file in the page cache.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
@Fork(3)
public class HeaderReadBenchmark {
    static final double TARGET_RATIO = 2.0;

    /** The buffer size of {@code new BufferedInputStream(in)}, and of the buffer the baseline reads into. */
    private static final int PLAIN_BUFFER = 8192;

    private Path directory;
    private Path file;
    private long headerLength;
    private byte[] discarded;

    @Setup(Level.Trial)
    public void writeFile() throws IOException {
        directory = Files.createTempDirectory("magi-bench-header-");
        GgufWriter writer = qwenLikeModel();
        file = writer.writeTo(directory.resolve("qwen-like-Q4_K_M.gguf"));
        // Up to the end of the tensor infos: what the reader has to get through, no padding, no data.
        headerLength = writer.headerLength();
        discarded = new byte[PLAIN_BUFFER];
    }

    private static GgufWriter qwenLikeModel() {
        return GgufWriter.typicalModel("qwen2", "Qwen-like 150k vocabulary").qwenLikeVocabulary().withTensorData();
    }

    @TearDown(Level.Trial)
    public void deleteFile() throws IOException {
        ModelTree.deleteRecursively(directory);
    }

    /** The baseline: exactly the header's bytes, through a default {@link BufferedInputStream}. */
    @Benchmark
    public long bufferedReadOfHeaderBytes() throws IOException {
        long left = headerLength;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
            while (left > 0) {
                int read = in.read(discarded, 0, (int) Math.min(discarded.length, left));
                if (read < 0) {
                    throw new IOException("file shorter than its header");
                }
                left -= read;
            }
        }
        // Returned so that JMH consumes it; the bytes themselves are deliberately thrown away.
        return headerLength - left + discarded[0];
    }

    /** The subject: the whole header, parsed and checked. */
    @Benchmark
    public GgufHeader ggufReader() throws IOException {
        return GgufReader.read(file);
    }

    /** Runs both benchmarks (JMH's command-line options in {@code args} override the defaults) and prints the ratio. */
    static void main(List<String> args, PrintStream out) throws RunnerException, CommandLineOptionException {
        CommandLineOptions commandLine = new CommandLineOptions(args.toArray(String[]::new));
        out.println("Machine: " + Machine.describe());
        GgufWriter writer = qwenLikeModel();
        out.printf(Locale.ROOT, "Header: %,d bytes up to the end of the tensor infos; file with tensor data: %,d bytes%n",
                writer.headerLength(), writer.tensorDataOffset() + writer.tensorDataLength());
        Collection<RunResult> results = new Runner(new OptionsBuilder().parent(commandLine)
                .include(HeaderReadBenchmark.class.getName() + "\\.").build()).run();

        Map<String, RunResult> byMethod = new TreeMap<>();
        for (RunResult result : results) {
            String benchmark = result.getParams().getBenchmark();
            byMethod.put(benchmark.substring(benchmark.lastIndexOf('.') + 1), result);
        }
        RunResult baseline = byMethod.get("bufferedReadOfHeaderBytes");
        RunResult subject = byMethod.get("ggufReader");
        if (baseline == null || subject == null) {
            out.println("Both benchmarks must run to give a ratio; ran: " + byMethod.keySet());
            return;
        }
        out.println("At the end: " + Machine.load());
        double ratio = subject.getPrimaryResult().getScore() / baseline.getPrimaryResult().getScore();
        out.println();
        out.printf(Locale.ROOT, "Header read of a 150,000-token vocabulary: GgufReader %.3f ± %.3f %s,"
                        + " buffered read of the same bytes %.3f ± %.3f %s%n",
                subject.getPrimaryResult().getScore(), subject.getPrimaryResult().getScoreError(),
                subject.getPrimaryResult().getScoreUnit(),
                baseline.getPrimaryResult().getScore(), baseline.getPrimaryResult().getScoreError(),
                baseline.getPrimaryResult().getScoreUnit());
        out.printf(Locale.ROOT, "GgufReader / buffered read: %.2fx, target <= %.1fx: %s%n", ratio, TARGET_RATIO,
                ratio <= TARGET_RATIO ? "MET" : "NOT MET");
    }
}
