package dev.magi.core.launch.slurm;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("What the Slurm commands print")
class SlurmOutputParsingTest {
    private static final char F = SqueueFormat.FIELD;
    private static final char R = SqueueFormat.RECORD;

    @Nested
    @DisplayName("sbatch --parsable")
    class Sbatch {
        @Test
        @DisplayName("answers a job id")
        void jobId() {
            assertThat(SubmittedJob.parse("4242\n")).isEqualTo(new SubmittedJob("4242", null));
        }

        @Test
        @DisplayName("answers a job id and a cluster after a semicolon")
        void cluster() {
            assertThat(SubmittedJob.parse("77;gpu-cluster\n")).isEqualTo(new SubmittedJob("77", "gpu-cluster"));
        }

        @Test
        @DisplayName("may be preceded by a site's notices: the id is on the last line")
        void notices() {
            assertThat(SubmittedJob.parse("Note: your account has 10 hours left\n\n901\n").jobId()).isEqualTo("901");
        }

        @Test
        @DisplayName("without a job id is an error that quotes what it printed")
        void garbage() {
            assertThatThrownBy(() -> SubmittedJob.parse("Submitted batch job 12\n"))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Submitted batch job 12");
            assertThatThrownBy(() -> SubmittedJob.parse("")).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Nested
    @DisplayName("squeue with the launcher's format")
    class Squeue {
        @Test
        @DisplayName("gives each job's id, name, state, reason, node and comment")
        void fields() {
            String out = "12" + F + "magi-a" + F + "RUNNING" + F + "None" + F + "node7" + F + "magi install=i model=a" + R + "\n"
                    + "13" + F + "magi-b" + F + "PENDING" + F + "Resources" + F + "" + F + "(null)" + R + "\n";
            assertThat(SqueueFormat.parse(out)).containsExactly(
                    new QueuedJob("12", "magi-a", JobState.RUNNING, null, "node7", "magi install=i model=a"),
                    new QueuedJob("13", "magi-b", JobState.PENDING, "Resources", null, null));
        }

        @Test
        @DisplayName("keeps a comment whole when it holds spaces, pipes, semicolons or a line break")
        void hostileComment() {
            String comment = "a | b ; c\nd";
            String out = "5" + F + "x" + F + "RUNNING" + F + "None" + F + "n1" + F + comment + R + "\n";
            assertThat(SqueueFormat.parse(out)).singleElement().extracting(QueuedJob::comment).isEqualTo(comment);
        }

        @Test
        @DisplayName("lists nothing when there are no jobs")
        void empty() {
            assertThat(SqueueFormat.parse("")).isEmpty();
        }

        @Test
        @DisplayName("refuses a job with missing fields instead of misreading it")
        void missingFields() {
            assertThatThrownBy(() -> SqueueFormat.parse("5" + F + "x" + F + "RUNNING" + R + "\n"))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3 fields");
        }

        @Test
        @DisplayName("asks for fields separated by characters no one types")
        void format() {
            assertThat(SqueueFormat.FORMAT).isEqualTo("%i\u001f%j\u001f%T\u001f%r\u001f%N\u001f%k\u001e");
        }
    }

    @Nested
    @DisplayName("job states")
    class States {
        @Test
        @DisplayName("fall into queued, running, ending and ended")
        void phases() {
            assertThat(JobState.parse("PENDING").phase()).isEqualTo(JobState.Phase.QUEUED);
            assertThat(JobState.parse("CONFIGURING").phase()).isEqualTo(JobState.Phase.QUEUED);
            assertThat(JobState.parse("RUNNING").phase()).isEqualTo(JobState.Phase.RUNNING);
            assertThat(JobState.parse("COMPLETING").phase()).isEqualTo(JobState.Phase.ENDING);
            for (String ended : List.of("COMPLETED", "CANCELLED", "FAILED", "TIMEOUT", "NODE_FAIL", "OUT_OF_MEMORY",
                    "PREEMPTED", "BOOT_FAIL", "DEADLINE")) {
                assertThat(JobState.parse(ended).phase()).as(ended).isEqualTo(JobState.Phase.ENDED);
            }
        }

        @Test
        @DisplayName("are read in any case and with words after the state")
        void lenient() {
            assertThat(JobState.parse("cancelled by 1000")).isEqualTo(JobState.CANCELLED);
        }

        @Test
        @DisplayName("unknown to this release are watched as running, not taken for an end")
        void unknown() {
            assertThat(JobState.parse("WARPING")).isEqualTo(JobState.UNKNOWN);
            assertThat(JobState.UNKNOWN.phase()).isEqualTo(JobState.Phase.RUNNING);
        }
    }

    @Nested
    @DisplayName("a job's comment")
    class Comments {
        @Test
        @DisplayName("marks the owner and the model, and later the endpoint")
        void roundTrip() {
            JobComment owner = new JobComment("inst-1", "qwen2.5-7b", null);
            assertThat(owner.text()).isEqualTo("magi install=inst-1 model=qwen2.5-7b");
            assertThat(JobComment.parse(owner.text())).contains(owner);
            assertThat(JobComment.parse(owner.text() + " endpoint=http://node7:23456"))
                    .contains(new JobComment("inst-1", "qwen2.5-7b", URI.create("http://node7:23456")));
        }

        @Test
        @DisplayName("of someone else's job is not MAGI's")
        void foreign() {
            assertThat(JobComment.parse(null)).isEmpty();
            assertThat(JobComment.parse("my training run")).isEmpty();
            assertThat(JobComment.parse("magi model=x")).isEmpty();
            assertThat(JobComment.parse("magi install=a'b model=x")).isEmpty();
        }

        @Test
        @DisplayName("tells this install's jobs from another install's")
        void ownership() {
            JobComment comment = JobComment.parse("magi install=mine model=x").orElseThrow();
            assertThat(comment.ownedBy("mine")).isTrue();
            assertThat(comment.ownedBy("theirs")).isFalse();
        }

        @Test
        @DisplayName("ignores an endpoint that is not http://HOST:PORT")
        void badEndpoint() {
            assertThat(JobComment.parse("magi install=i model=m endpoint=ftp://x:1").orElseThrow().endpoint()).isNull();
            assertThat(JobComment.parse("magi install=i model=m endpoint=http://x").orElseThrow().endpoint()).isNull();
            assertThat(EndpointLine.parse("MAGI endpoint http://n1:20001")).contains(URI.create("http://n1:20001"));
            assertThat(EndpointLine.parse("llama server listening")).isEmpty();
        }
    }

    @Nested
    @DisplayName("sbatch's arguments")
    class Arguments {
        private final JobComment comment = new JobComment("inst", "m1", null);

        @Test
        @DisplayName("ask for the GPUs, CPUs and memory of the model and the site's settings, the site's own last")
        void all() {
            SbatchRequest request = new SbatchRequest("magi-m1", comment, Path.of("/logs/magi-m1-%j.out"),
                    Path.of("/logs"), "gpu", "proj7", "1-00:00:00", 2, 8, 3L * 1024 * 1024 * 1024 + 1,
                    List.of("--qos=high"));
            assertThat(request.arguments()).containsExactly("--parsable", "--job-name=magi-m1",
                    "--comment=magi install=inst model=m1", "--output=/logs/magi-m1-%j.out", "--chdir=/logs",
                    "--no-requeue", "--nodes=1", "--ntasks=1", "--cpus-per-task=8", "--gres=gpu:2", "--mem=3073M",
                    "--partition=gpu", "--account=proj7", "--time=1-00:00:00", "--qos=high");
            assertThat(request.outputFileOf("99")).isEqualTo(Path.of("/logs/magi-m1-99.out"));
        }

        @Test
        @DisplayName("leave out GPUs, memory and the site's settings that are not set")
        void minimal() {
            SbatchRequest request = new SbatchRequest("magi-m1", comment, Path.of("/l/%j"),
                    Path.of("/l"), null, null, null, 0, 1, null, List.of());
            assertThat(request.arguments()).noneMatch(a -> a.startsWith("--gres") || a.startsWith("--mem")
                    || a.startsWith("--partition") || a.startsWith("--account") || a.startsWith("--time"));
        }
    }
}
