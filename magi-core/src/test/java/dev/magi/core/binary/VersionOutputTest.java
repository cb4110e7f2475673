package dev.magi.core.binary;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("The output of llama-server --version")
class VersionOutputTest {
    /** What Debian's llama-server (llama.cpp-tools 0.7.0) writes on stderr, captured as it is. */
    static final String DEBIAN = "version: 0.7.0 (build 11669, commit Debian)\n"
            + "built with GNU 16.2.0 for Linux x86_64\n";
    /** What an upstream build writes, after the lines of the backends it loads. */
    static final String UPSTREAM = "load_backend: loaded RPC backend from /opt/llama/libggml-rpc.so\r\n"
            + "load_backend: loaded CPU backend from /opt/llama/libggml-cpu-haswell.so\r\n"
            + "version: 4567 (6152129d)\r\n"
            + "built with cc (Ubuntu 13.2.0-23ubuntu4) 13.2.0 for x86_64-linux-gnu\r\n";

    @Nested
    @DisplayName("with a version line")
    class Known {
        @Test
        @DisplayName("of the real Debian binary gives its version and its build")
        void debian() {
            LlamaServerVersion version = VersionOutput.parse("/usr/bin/llama-server", DEBIAN).orElseThrow();

            assertThat(version).isEqualTo(new LlamaServerVersion("/usr/bin/llama-server",
                    "0.7.0 (build 11669, commit Debian)", "GNU 16.2.0 for Linux x86_64", null));
            assertThat(version.isKnown()).isTrue();
        }

        @Test
        @DisplayName("of an upstream build, among other lines and CRLF line breaks, gives its version and build")
        void upstream() {
            LlamaServerVersion version = VersionOutput.parse("llama-server", UPSTREAM).orElseThrow();

            assertThat(version.version()).isEqualTo("4567 (6152129d)");
            assertThat(version.build()).isEqualTo("cc (Ubuntu 13.2.0-23ubuntu4) 13.2.0 for x86_64-linux-gnu");
        }

        @Test
        @DisplayName("and no build line gives the version without a build")
        void noBuild() {
            LlamaServerVersion version = VersionOutput.parse("x", "version: 1 (abc)").orElseThrow();

            assertThat(version.version()).isEqualTo("1 (abc)");
            assertThat(version.build()).isNull();
        }
    }

    @Nested
    @DisplayName("without a usable version line")
    class Unknown {
        @Test
        @DisplayName("nothing at all gives no version")
        void empty() {
            assertThat(VersionOutput.parse("x", "")).isEmpty();
        }

        @Test
        @DisplayName("a usage message of another program gives no version")
        void otherProgram() {
            assertThat(VersionOutput.parse("x", "usage: cat [OPTION]... [FILE]...\nbuilt with love\n")).isEmpty();
        }

        @Test
        @DisplayName("binary garbage gives no version")
        void garbage() {
            String garbage = "\u007fELF\u0002\u0001\u0001\u0000version:\u0000\u0003\u0000>\u0000\u0001";

            assertThat(VersionOutput.parse("x", garbage)).isEmpty();
        }

        @Test
        @DisplayName("an empty or endless version line gives no version")
        void emptyOrEndless() {
            assertThat(VersionOutput.parse("x", "version:   \n")).isEmpty();
            assertThat(VersionOutput.parse("x", "version: " + "9".repeat(10_000))).isEmpty();
        }
    }

    @Test
    @DisplayName("a version line names the first version; a later one does not replace it")
    void firstWins() {
        Optional<LlamaServerVersion> version = VersionOutput.parse("x", "version: 1 (a)\nversion: 2 (b)\n");

        assertThat(version).map(LlamaServerVersion::version).contains("1 (a)");
    }
}
