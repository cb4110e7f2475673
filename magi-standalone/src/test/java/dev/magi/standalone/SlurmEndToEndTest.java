package dev.magi.standalone;

import com.fasterxml.jackson.databind.JsonNode;
import dev.magi.testkit.Eventually;
import dev.magi.testkit.RealLlamaServer;
import dev.magi.testkit.RealSlurm;
import dev.magi.testkit.SharedFixtures;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * MAGI with {@code --launcher slurm} as a real process, the real llama-server and the real model
 * running as jobs of a real Slurm cluster (scripts/slurm-setup.sh's one node with two fake GPUs). The
 * first model asks for both GPUs by its {@code gpus} runtime setting, so a second one that asks for one
 * waits in the queue.
 * Skipped where Slurm, the binary or {@code ../shared} is absent.
 */
@DisplayName("MAGI running models as Slurm jobs")
class SlurmEndToEndTest {
    private static final String FIRST = "stories260k-a";
    private static final String SECOND = "stories260k-b";
    private static final Duration PATIENCE = Duration.ofSeconds(90);

    @TempDir
    Path dir;
    private Path binary;
    private final List<MagiProcess> processes = new ArrayList<>();

    @BeforeEach
    void needsSlurmTheServerAndTheModel() throws IOException {
        assumeTrue(RealSlurm.availableOrSkip(), RealSlurm::absentMessage);
        Optional<Path> installed = RealLlamaServer.binary();
        assumeTrue(installed.isPresent(), RealLlamaServer.absentMessage());
        binary = installed.get();
        Path model = SharedFixtures.file(SharedFixtures.STORIES_260K);
        assumeTrue(Files.isRegularFile(model), SharedFixtures.absentMessage(SharedFixtures.STORIES_260K));
        Files.createDirectories(dir.resolve("models"));
        Files.copy(model, dir.resolve("models/stories260K-a.gguf"));
        Files.copy(model, dir.resolve("models/stories260K-b.gguf"));
    }

    @AfterEach
    void cancelWhatIsLeft() throws Exception {
        for (MagiProcess process : processes) {
            process.close();
        }
        for (String jobId : jobsOf(FIRST, SECOND)) {
            new ProcessBuilder("scancel", jobId).inheritIO().start().waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    @DisplayName("start, answer a chat through the gateway, queue a model for GPUs, restart a cancelled job, "
            + "adopt the job after SIGKILL, and cancel it on stop")
    void lifeOfAJob() throws Exception {
        String firstJob;
        try (MagiProcess killed = magi()) {
            Http http = new Http(killed.awaitListening());
            // Each model's own GPUs: both for the first, one for the second, which then cannot run beside it.
            Http.Reply both = http.send("PUT", "/api/models/" + FIRST + "/runtime-settings", "{\"gpus\": 2}");
            assertThat(both.status()).as(both.body()).isEqualTo(200);
            Http.Reply one = http.send("PUT", "/api/models/" + SECOND + "/runtime-settings", "{\"gpus\": 1}");
            assertThat(one.status()).as(one.body()).isEqualTo(200);
            long memory = both.json().path("estimatedMemoryBytes").asLong();
            assertThat(memory).as(both.body()).isPositive();

            Http.Reply started = http.send("POST", "/api/models/servers/" + FIRST + "/start", null);
            assertThat(started.status()).as(started.body()).isEqualTo(200);
            JsonNode server = started.json();
            assertThat(server.path("state").asText()).isEqualTo("ready");
            assertThat(server.path("launcher").asText()).isEqualTo("slurm");
            firstJob = server.path("jobId").asText();
            assertThat(firstJob).isNotBlank();
            assertThat(server.path("endpoint").asText()).startsWith("http://");
            assertThat(jobsOf(FIRST)).containsExactly(firstJob);
            // What Slurm holds for the job: the model's GPUs and its estimated memory in MiB, rounded up.
            assertThat(resourcesOf(firstJob)).isEqualTo("gres:gpu:2 " + ((memory + (1 << 20) - 1) >> 20) + "M");

            Http.Reply chat = http.send("POST", "/v1/chat/completions", "{\"model\": \"" + FIRST + "\", \"max_tokens\": 8,"
                    + " \"messages\": [{\"role\": \"user\", \"content\": \"Once upon a time\"}]}");
            assertThat(chat.status()).as(chat.body()).isEqualTo(200);
            assertThat(chat.json().path("choices").path(0).path("message").path("content").asText()).isNotEmpty();

            // Cancelled from outside: a crash, restarted as a new job.
            String cancelled = firstJob;
            new ProcessBuilder("scancel", cancelled).inheritIO().start().waitFor(30, TimeUnit.SECONDS);
            JsonNode restarted = Eventually.awaitValue(PATIENCE, "the model runs again in a new job",
                    () -> serverOf(http, FIRST), s -> s != null && s.path("state").asText().equals("ready")
                            && !s.path("jobId").asText().equals(cancelled));
            firstJob = restarted.path("jobId").asText();
            assertThat(jobsOf(FIRST)).containsExactly(firstJob);

            // Both fake GPUs are taken by the first model: the second waits in the queue with Slurm's reason.
            Http.Reply queued = http.send("POST", "/api/models/servers/" + SECOND + "/start?wait=false", null);
            assertThat(queued.status()).as(queued.body()).isEqualTo(202);
            JsonNode pending = Eventually.awaitValue(PATIENCE, "the second model is pending for Resources",
                    () -> serverOf(http, SECOND), s -> s != null && s.path("state").asText().equals("pending")
                            && s.path("lastError").asText().contains("Resources"));
            String secondJob = pending.path("jobId").asText();
            Http.Reply stopped = http.send("POST", "/api/models/servers/" + SECOND + "/stop", null);
            assertThat(stopped.status()).as(stopped.body()).isEqualTo(200);
            Eventually.await(PATIENCE, "the queued job is cancelled", () -> jobsOf(SECOND).isEmpty());
            assertThat(secondJob).isNotBlank();

            killed.close(); // SIGKILL: no shutdown hook runs, the job goes on
            assertThat(killed.awaitExit()).isEqualTo(137);
        }
        assertThat(jobsOf(FIRST)).as("the job outlives the killed MAGI").containsExactly(firstJob);

        try (MagiProcess next = magi()) {
            Http http = new Http(next.awaitListening());
            String adopted = firstJob;
            JsonNode server = Eventually.awaitValue(PATIENCE, "the job is adopted and ready",
                    () -> serverOf(http, FIRST), s -> s != null && s.path("state").asText().equals("ready"));
            assertThat(server.path("jobId").asText()).as(next.output()).isEqualTo(adopted);
            assertThat(jobsOf(FIRST)).as("no second job").containsExactly(adopted);

            Http.Reply chat = http.send("POST", "/v1/chat/completions", "{\"model\": \"" + FIRST + "\", \"max_tokens\": 4,"
                    + " \"messages\": [{\"role\": \"user\", \"content\": \"Hello\"}]}");
            assertThat(chat.status()).as(chat.body()).isEqualTo(200);

            Http.Reply stopped = http.send("POST", "/api/models/servers/" + FIRST + "/stop", null);
            assertThat(stopped.status()).as(stopped.body()).isEqualTo(200);
            assertThat(jobsOf(FIRST)).as("stop cancels the job").isEmpty();
            assertThat(next.terminate()).isEqualTo(MagiMain.EXIT_OK);
        }
    }

    private MagiProcess magi() throws IOException {
        MagiProcess process = MagiProcess.fromClasspath(System.getProperty("java.class.path"), List.of("--port", "0",
                "--scan-path", dir.resolve("models").toString(),
                "--registry-path", dir.resolve("data/model_registry.json").toString(),
                "--profiles-path", dir.resolve("profiles").toString(),
                "--watch", "false",
                "--launcher", "slurm",
                "--slurm-log-dir", dir.resolve("slurm-logs").toString(),
                "--llama-server", binary.toString(),
                "--readiness-interval", "0.2",
                "--max-startup-time", "60",
                "--stop-timeout", "5").toArray(String[]::new));
        processes.add(process);
        return process;
    }

    private static JsonNode serverOf(Http http, String modelId) {
        try {
            for (JsonNode server : http.get("/api/models/servers").json().path("servers")) {
                if (server.path("modelId").asText().equals(modelId)) {
                    return server;
                }
            }
            return null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** The GPUs and memory Slurm holds for a job, as squeue shows them ({@code gres:gpu:2 3M}). */
    private static String resourcesOf(String jobId) throws IOException, InterruptedException {
        Process squeue = new ProcessBuilder("squeue", "--noheader", "--jobs=" + jobId, "--format=%b %m").start();
        String out = new String(squeue.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        squeue.waitFor(30, TimeUnit.SECONDS);
        return out.strip();
    }

    /** The ids of this user's queued or running jobs of these models. */
    private static List<String> jobsOf(String... modelIds) {
        try {
            return listJobs(modelIds);
        } catch (IOException e) {
            throw new AssertionError("squeue cannot run", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private static List<String> listJobs(String... modelIds) throws IOException, InterruptedException {
        Process squeue = new ProcessBuilder("squeue", "--noheader", "--states=PENDING,RUNNING,CONFIGURING",
                "--user=" + System.getProperty("user.name"), "--format=%i %j").start();
        String out = new String(squeue.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        squeue.waitFor(30, TimeUnit.SECONDS);
        List<String> ids = new ArrayList<>();
        for (String line : out.strip().split("\n")) {
            String[] words = line.strip().split(" ");
            for (String modelId : modelIds) {
                if (words.length == 2 && words[1].equals("magi-" + modelId)) {
                    ids.add(words[0]);
                }
            }
        }
        return ids;
    }
}
