package dev.magi.benchmarks;

import dev.magi.benchmarks.supervision.RealReadinessBenchmark;
import dev.magi.benchmarks.supervision.SlurmPollingBenchmark;
import dev.magi.benchmarks.supervision.SlurmReadinessBenchmark;
import org.openjdk.jmh.Main;

import java.util.Arrays;
import java.util.List;

/**
 * {@code java -jar benchmarks.jar <benchmark> [options]}: one entry point for the JMH benchmark and
 * the hand-written harnesses, so that BENCHMARKS.md can give one command per figure.
 */
public final class BenchmarksMain {
    private static final String USAGE = String.join(System.lineSeparator(),
            "usage: java -jar benchmarks.jar <benchmark> [options]",
            "  header [JMH options]                        GgufReader vs buffered read of a 150k-token header (JMH)",
            "  scan [--files N] [--warmup N] [--rounds N] [--fresh N] [--dir D]",
            "                                              cold scan, rescan and walk + stat of N files",
            "  heap [--files N] [--dir D]                  heap retained by a registry of N models",
            "                                              (run it in its own JVM: it measures the whole heap)",
            "  api-registry [--models N] [--connections C] [--trial-ms T] [--warmup-ms W] [--trials K] [--dir D]",
            "               [--prototype 0|1] [--hold-s S] GET /api/models/registry: MAGI vs bare Jetty, requests/s",
            "                                              (prototype 1: also MAGI with its JSON cached per snapshot)",
            "  api-tier [--models N] [--warmup N] [--requests N] [--parts N] [--dir D]",
            "                                              PUT /api/models/{id}/tier latency, and the parts of a save",
            "  api-startup [--models N] [--runs N] [--jar magi-standalone/target/magi.jar] [--dir D]",
            "              [--java-options \"-XX:... -D...\"] [--cds 0|1] [--print-log 0|1]",
            "                                              java -jar magi.jar to its first answer (returning user)",
            "  webui [--models N] [--loads N] [--changes N] [--dir D]",
            "                                              the WebUI in headless Chromium: time to interactive with",
            "                                              N models, and server state change to the page",
            "  real-readiness [--runs N] [--llama-server PATH] [--model GGUF] [--observer-gap-us U] [--dir D]",
            "                                              the real llama-server's first 200 on /health to MAGI's",
            "                                              ready, beside 250 ms, 1 s, 2 s and llama-swap's pollers",
            "                                              (skipped, exit 0, without the server or the model)",
            "  gateway [--connections C] [--trial-ms T] [--trials K] [--streams N] [--cold-runs N] [--queued N]",
            "          [--load-ms L] [--dir D]             the gateway against the fake llama-server: req/s and",
            "                                              latency direct vs through MAGI, first streamed byte,",
            "                                              a cold request, N requests at once on a cold model",
            "  slurm-ready [--runs N] [--llama-server PATH] [--model GGUF] [--dir D]",
            "                                              the real llama-server from start to its first 200 on",
            "                                              /health: slurm launcher vs local launcher",
            "  slurm-poll [--jobs N] [--window-s S] [--listings K] [--dir D]",
            "                                              N Slurm jobs watched by the slurm launcher: CPU of MAGI",
            "                                              and slurmctld, watching vs nobody watching, and one",
            "                                              squeue listing timed (needs a Slurm cluster)",
            "  jmh [JMH options]                           JMH's own command line (-l lists, -h helps)",
            "Trees of test files are written under --dir (default: the temporary directory) and deleted.");

    private BenchmarksMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            System.err.println(USAGE);
            System.exit(2);
        }
        List<String> rest = Arrays.asList(args).subList(1, args.length);
        switch (args[0]) {
            case "header" -> HeaderReadBenchmark.main(rest, System.out);
            case "scan" -> ScanBenchmark.main(rest);
            case "heap" -> RegistryHeapBenchmark.main(rest);
            case "api-registry" -> RegistryGetBenchmark.main(rest);
            case "api-tier" -> TierPutBenchmark.main(rest);
            case "api-startup" -> StartupBenchmark.main(rest);
            case "webui" -> WebUiBenchmark.main(rest);
            case "real-readiness" -> RealReadinessBenchmark.main(rest);
            case "gateway" -> GatewayBenchmark.main(rest);
            case "slurm-poll" -> SlurmPollingBenchmark.main(rest);
            case "slurm-ready" -> SlurmReadinessBenchmark.main(rest);
            case ScanBenchmark.ONCE -> ScanBenchmark.once(rest);
            case "jmh" -> Main.main(rest.toArray(String[]::new));
            default -> {
                System.err.println("unknown benchmark '" + args[0] + "'");
                System.err.println(USAGE);
                System.exit(2);
            }
        }
    }
}
