package dev.magi.core.launch.slurm;

import dev.magi.spi.ErrorCode;
import dev.magi.spi.MagiException;
import dev.magi.testkit.Eventually;
import dev.magi.testkit.FakeLlamaServer;
import dev.magi.testkit.RealSlurm;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The Slurm command layer against a real Slurm cluster (scripts/slurm-setup.sh's, with two fake
 * GPUs): jobs submitted with MAGI's job script running the fake llama-server, listed, and cancelled.
 */
@DisplayName("The Slurm commands on a real cluster")
class SlurmCliRealTest {
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private final SlurmCli cli = SlurmCli.forCurrentUser(SlurmCli.DEFAULT_TIMEOUT);
    private final String install = "test-" + UUID.randomUUID();
    private final List<String> submitted = new ArrayList<>();
    private Path fake;

    @BeforeEach
    void cluster() throws IOException {
        assumeTrue(RealSlurm.availableOrSkip(), RealSlurm::absentMessage);
        fake = FakeLlamaServer.launcher().loadMillis(50).writeTo(dir.resolve("fake-llama-server"));
    }

    @AfterEach
    void cancelLeftovers() {
        for (String jobId : submitted) {
            cli.cancel(jobId);
        }
    }

    @Test
    @DisplayName("run the model's server as a job that publishes its endpoint, and cancel it")
    void submitListCancel() throws Exception {
        SbatchRequest request = request("m1", 0);
        SubmittedJob job = submit(request, "m1");

        QueuedJob running = Eventually.awaitValue(PATIENCE, "the job runs and has published its endpoint",
                () -> find(job.jobId()).orElse(null),
                j -> j != null && j.state() == JobState.RUNNING && JobComment.parse(j.comment())
                        .map(JobComment::endpoint).isPresent());
        JobComment comment = JobComment.parse(running.comment()).orElseThrow();
        assertThat(running.name()).isEqualTo("magi-m1");
        assertThat(running.node()).isNotBlank();
        assertThat(comment.installId()).isEqualTo(install);
        assertThat(comment.modelId()).isEqualTo("m1");

        URI endpoint = comment.endpoint();
        Eventually.await(PATIENCE, "the server answers /health with 200", () -> health(endpoint) == 200);
        JobOutputFile output = new JobOutputFile(request.outputFileOf(job.jobId()));
        List<String> lines = output.readNew(true).lines();
        assertThat(lines).isNotEmpty();
        assertThat(EndpointLine.parse(lines.get(0))).contains(endpoint);

        assertThat(cli.cancel(job.jobId())).isEmpty();
        QueuedJob ended = Eventually.awaitValue(PATIENCE, "the job is over", () -> find(job.jobId()).orElse(null),
                j -> j == null || j.state().phase() == JobState.Phase.ENDED);
        if (ended != null) {
            assertThat(ended.state()).isEqualTo(JobState.CANCELLED);
        }
    }

    @Test
    @DisplayName("queue a job that asks for GPUs another job holds, with Slurm's reason")
    void pendingForGpus() throws Exception {
        SubmittedJob first = submit(request("gpu-a", 2), "gpu-a");
        Eventually.await(PATIENCE, "the first job runs",
                () -> find(first.jobId()).map(j -> j.state() == JobState.RUNNING).orElse(false));
        SubmittedJob second = submit(request("gpu-b", 1), "gpu-b");
        QueuedJob waiting = Eventually.awaitValue(PATIENCE, "the second job waits with a reason",
                () -> find(second.jobId()).orElse(null), j -> j != null && j.reason() != null);
        assertThat(waiting.state()).isEqualTo(JobState.PENDING);
        assertThat(waiting.reason()).isEqualTo("Resources");
    }

    @Test
    @DisplayName("refuse a job no node can ever run, with sbatch's own words")
    void impossible() {
        MagiException e = catchThrowableOfType(() -> submit(request("greedy", 64), "greedy"), MagiException.class);
        assertThat(e.code()).isEqualTo(ErrorCode.SERVER_START_FAILED);
        assertThat(e.getMessage()).contains("sbatch refused the job of model 'greedy'")
                .containsIgnoringCase("node configuration is not available");
    }

    @Test
    @DisplayName("treat cancelling a job that is already over as done")
    void cancelTwice() throws Exception {
        SubmittedJob job = submit(request("twice", 0), "twice");
        cli.cancel(job.jobId());
        Eventually.await(PATIENCE, "the job is over",
                () -> find(job.jobId()).map(j -> j.state().phase() == JobState.Phase.ENDED).orElse(true));
        cli.cancel(job.jobId());
    }

    private SbatchRequest request(String modelId, int gpus) {
        return new SbatchRequest("magi-" + modelId, new JobComment(install, modelId, null),
                dir.resolve("magi-" + modelId + "-%j.out"), dir, null, null, null, gpus, 1, 64L * 1024 * 1024,
                List.of());
    }

    private SubmittedJob submit(SbatchRequest request, String modelId) throws IOException {
        Path model = Files.write(dir.resolve(modelId + ".gguf"), new byte[] {'G', 'G', 'U', 'F', 3, 0, 0, 0});
        String script = JobScript.render(request.comment(),
                List.of(fake.toString(), "--model", model.toString(), "--alias", modelId), Map.of());
        SubmittedJob job = cli.submit(request, script);
        submitted.add(job.jobId());
        return job;
    }

    private Optional<QueuedJob> find(String jobId) {
        return cli.jobs().stream().filter(j -> j.jobId().equals(jobId)).findFirst();
    }

    private static int health(URI endpoint) {
        try {
            HttpResponse<Void> response = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(endpoint.resolve("/health")).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.discarding());
            return response.statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
