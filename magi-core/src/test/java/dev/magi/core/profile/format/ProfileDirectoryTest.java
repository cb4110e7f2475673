package dev.magi.core.profile.format;

import dev.magi.spi.ErrorCode;
import dev.magi.spi.MagiException;
import dev.magi.spi.ModelProfile;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

@DisplayName("ProfileDirectory")
class ProfileDirectoryTest {

    @TempDir
    Path root;

    /** Deep enough that {@code ../../evil} still lands inside {@link #root}, where it would be seen. */
    Path dir;
    ProfileDirectory profiles;

    @BeforeEach
    void setUp() {
        dir = root.resolve("config/magi/profiles");
        profiles = new ProfileDirectory(dir);
    }

    static ModelProfile profile(String name) {
        return ModelProfile.withDefaults(name, "about " + name, List.of("model-" + name));
    }

    Set<Path> filesUnderRoot() throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.collect(Collectors.toSet());
        }
    }

    void write(String fileName, String content) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(fileName), content);
    }

    static MagiException failureOf(Runnable action) {
        Throwable thrown = catchThrowable(action::run);
        assertThat(thrown).isInstanceOf(MagiException.class);
        return (MagiException) thrown;
    }

    @Nested
    @DisplayName("saving and loading")
    class SaveAndLoad {

        @Test
        @DisplayName("a saved profile loads back equal, from NAME.yaml")
        void roundTrip() {
            profiles.save(ProfileYamlTest.EVERY_FIELD_SET);

            assertThat(profiles.load("research")).contains(ProfileYamlTest.EVERY_FIELD_SET);
            assertThat(dir.resolve("research.yaml")).isRegularFile();
        }

        @Test
        @DisplayName("saving again replaces the profile and leaves no temporary file")
        void replace() throws IOException {
            profiles.save(profile("dev"));
            ModelProfile changed = ModelProfile.withDefaults("dev", "changed", List.of());
            profiles.save(changed);

            assertThat(profiles.load("dev")).contains(changed);
            try (Stream<Path> files = Files.list(dir)) {
                assertThat(files).containsExactly(dir.resolve("dev.yaml"));
            }
        }

        @Test
        @DisplayName("a profile that does not exist loads as empty")
        void absent() {
            profiles.save(profile("dev"));

            assertThat(profiles.load("prod")).isEmpty();
        }

        @Test
        @DisplayName("saving creates a missing directory")
        void createsDirectory() {
            assertThat(dir).doesNotExist();

            profiles.save(profile("dev"));

            assertThat(profiles.names()).containsExactly("dev");
        }

        @Test
        @DisplayName("the file name wins over the name inside the file")
        void fileNameWins() throws IOException {
            write("development.yaml", "name: something-else\ndescription: d\n");

            assertThat(profiles.load("development")).hasValueSatisfying(p -> {
                assertThat(p.name()).isEqualTo("development");
                assertThat(p.description()).isEqualTo("d");
            });
        }

        @Test
        @DisplayName("a .yml file is read, and saving replaces it with a .yaml file")
        void yml() throws IOException {
            write("legacy.yml", "profile: {name: legacy, description: old}\n");

            assertThat(profiles.load("legacy")).hasValueSatisfying(p -> assertThat(p.description()).isEqualTo("old"));

            profiles.save(ModelProfile.withDefaults("legacy", "new", List.of()));

            assertThat(dir.resolve("legacy.yml")).doesNotExist();
            assertThat(profiles.load("legacy")).hasValueSatisfying(p -> assertThat(p.description()).isEqualTo("new"));
        }

        @Test
        @DisplayName("a name of 64 characters is accepted")
        void longestName() {
            String name = "a".repeat(64);

            profiles.save(profile(name));

            assertThat(profiles.names()).containsExactly(name);
            assertThat(profiles.load(name)).contains(profile(name));
            assertThat(profiles.delete(name)).isTrue();
        }
    }

    @Nested
    @DisplayName("listing")
    class Names {

        @Test
        @DisplayName("names are sorted and listed once, whatever the extension")
        void sorted() throws IOException {
            profiles.save(profile("zeta"));
            profiles.save(profile("alpha"));
            profiles.save(profile("Mid"));
            write("beta.yml", "name: beta\n");
            write("alpha.yml", "name: alpha\n");

            assertThat(profiles.names()).containsExactly("Mid", "alpha", "beta", "zeta");
        }

        @Test
        @DisplayName("files that are not profiles are left out")
        void others() throws IOException {
            profiles.save(profile("dev"));
            profiles.saveActive("dev");
            write("notes.txt", "x");
            write("a b.yaml", "name: x\n");
            write("-dash.yaml", "name: x\n");
            write(".hidden.yaml", "name: x\n");
            write(".yaml", "name: x\n");
            write("n" + "x".repeat(64) + ".yaml", "name: x\n");
            Files.createDirectories(dir.resolve("folder.yaml"));

            assertThat(profiles.names()).containsExactly("dev");
        }

        @Test
        @DisplayName("a missing directory has no profiles")
        void missingDirectory() {
            assertThat(profiles.names()).isEmpty();
            assertThat(profiles.load("dev")).isEmpty();
            assertThat(profiles.delete("dev")).isFalse();
            assertThat(dir).doesNotExist();
        }
    }

    @Nested
    @DisplayName("deleting")
    class Delete {

        @Test
        @DisplayName("deleting answers whether the profile existed")
        void delete() {
            profiles.save(profile("dev"));
            profiles.save(profile("prod"));

            assertThat(profiles.delete("dev")).isTrue();
            assertThat(profiles.delete("dev")).isFalse();
            assertThat(profiles.names()).containsExactly("prod");
            assertThat(profiles.load("dev")).isEmpty();
        }

        @Test
        @DisplayName("deleting removes both spellings of the file")
        void bothExtensions() throws IOException {
            write("dev.yaml", "name: dev\n");
            write("dev.yml", "name: dev\n");

            assertThat(profiles.delete("dev")).isTrue();
            assertThat(profiles.names()).isEmpty();
        }
    }

    @Nested
    @DisplayName("broken files")
    class Broken {

        @Test
        @DisplayName("a file that cannot be parsed is listed, and loading it names the file and the reason")
        void unparseable() throws IOException {
            profiles.save(profile("good"));
            write("broken.yaml", "name: broken\nenabledModels: [a, b\n");

            assertThat(profiles.names()).containsExactly("broken", "good");
            MagiException e = failureOf(() -> profiles.load("broken"));

            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_PROFILE);
            assertThat(e.getMessage()).contains("broken.yaml", "not valid YAML", "line 3")
                    .doesNotContain("\tat ", "Exception", "\n");
            assertThat(e.details()).containsEntry("file", "broken.yaml");
            assertThat(profiles.load("good")).contains(profile("good"));
        }

        @Test
        @DisplayName("a file with a wrong value names the file and the field")
        void wrongValue() throws IOException {
            write("dev.yaml", "load_balancing:\n  strategy: fastest\n");

            MagiException e = failureOf(() -> profiles.load("dev"));

            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_PROFILE);
            assertThat(e.getMessage()).isEqualTo("Profile file 'dev.yaml': load_balancing.strategy has a value"
                    + " that is not allowed; expected one of round_robin, least_loaded, random");
        }

        @Test
        @DisplayName("a file that is not UTF-8 is refused")
        void notUtf8() throws IOException {
            Files.createDirectories(dir);
            Files.write(dir.resolve("latin.yaml"), "name: caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));

            assertThat(failureOf(() -> profiles.load("latin")).getMessage()).contains("latin.yaml", "UTF-8");
        }

        @Test
        @DisplayName("a file starting with a byte-order mark is read")
        void byteOrderMark() throws IOException {
            Files.createDirectories(dir);
            Files.write(dir.resolve("bom.yaml"), "\uFEFFdescription: with mark\n".getBytes(StandardCharsets.UTF_8));

            assertThat(profiles.load("bom")).hasValueSatisfying(
                    p -> assertThat(p.description()).isEqualTo("with mark"));
        }

        @Test
        @DisplayName("a 10 MB file is refused without being parsed")
        void huge() throws IOException {
            write("huge.yaml", "name: huge\ndescription: \"" + "x".repeat(10 * 1024 * 1024) + "\"\n");

            MagiException e = assertTimeoutPreemptively(Duration.ofSeconds(2),
                    () -> failureOf(() -> profiles.load("huge")));

            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_PROFILE);
            assertThat(e.getMessage()).contains("huge.yaml", "too large");
            assertThat(profiles.names()).containsExactly("huge");
        }

        @Test
        @DisplayName("a sparse file claiming terabytes is refused by its size alone")
        void sparse() throws IOException {
            Files.createDirectories(dir);
            try (RandomAccessFile file = new RandomAccessFile(dir.resolve("vast.yaml").toFile(), "rw")) {
                file.setLength(1L << 40);
            } catch (IOException e) {
                // Some file systems cannot hold such a file; the 10 MB test covers the limit there.
                return;
            }

            MagiException e = assertTimeoutPreemptively(Duration.ofSeconds(2),
                    () -> failureOf(() -> profiles.load("vast")));

            assertThat(e.getMessage()).contains("too large");
        }

        @Test
        @DisplayName("an alias bomb in a file fails fast and cleanly")
        void aliasBomb() throws IOException {
            StringBuilder yaml = new StringBuilder("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
            for (int level = 1; level <= 8; level++) {
                String alias = "*a" + (level - 1);
                yaml.append("a").append(level).append(": &a").append(level).append(" [")
                        .append(String.join(", ", Collections.nCopies(9, alias))).append("]\n");
            }
            write("bomb.yaml", yaml.toString());

            MagiException e = assertTimeoutPreemptively(Duration.ofSeconds(2),
                    () -> failureOf(() -> profiles.load("bomb")));

            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_PROFILE);
            assertThat(e.getMessage()).contains("bomb.yaml", "aliases");
        }
    }

    @Nested
    @DisplayName("files that are not its own")
    class Links {
        @Test
        @DisplayName("a link to a file outside the directory is refused, naming the link and not the target")
        void linkOutside() throws IOException {
            Path secret = Files.writeString(root.resolve("secret.txt"), "top-secret-first-line\nmore\n");
            Files.createDirectories(dir);
            Files.createSymbolicLink(dir.resolve("leak.yaml"), secret);

            MagiException e = failureOf(() -> profiles.load("leak"));

            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_PROFILE);
            assertThat(e.getMessage()).contains("leak.yaml", "outside the profiles directory")
                    .doesNotContain("top-secret", "secret.txt");
            assertThat(e.details()).containsEntry("file", "leak.yaml");
        }

        @Test
        @DisplayName("a link to another file of the directory is read")
        void linkInside() throws IOException {
            profiles.save(profile("real"));
            Files.createSymbolicLink(dir.resolve("alias.yaml"), Path.of("real.yaml"));

            assertThat(profiles.load("alias"))
                    .contains(ModelProfile.withDefaults("alias", "about real", List.of("model-real")));
        }

        @Test
        @DisplayName("a file that is not a profile is refused without quoting its text")
        void notQuoted() throws IOException {
            write("passwd.yaml", "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin\n");
            write("syntax.yaml", "name: x\nsecret: [top-secret\n");
            write("kind.yaml", "description: [a]\nname: top-secret\ntwoStage:\n  stage1Tier: top-secret\n");

            for (String name : List.of("passwd", "syntax", "kind")) {
                MagiException e = failureOf(() -> profiles.load(name));

                assertThat(e.code()).isEqualTo(ErrorCode.INVALID_PROFILE);
                assertThat(e.getMessage()).contains(name + ".yaml").doesNotContain("root:", "top-secret");
            }
            assertThat(failureOf(() -> profiles.load("syntax")).getMessage()).contains("line 3");
        }
    }

    @Nested
    @DisplayName("hostile names")
    class HostileNames {

        static Stream<String> hostile() {
            return Stream.of("../../evil", "a/b", "..", ".", "a b", "naïve", "a".repeat(65), "", "-leading",
                    "evil\\..\\x", "/etc/passwd", "dev.yaml", ".active", "con:");
        }

        @ParameterizedTest(name = "\"{0}\"")
        @DisplayName("are refused as names by every operation, and nothing is created or removed anywhere")
        @MethodSource("hostile")
        void refused(String name) throws IOException {
            profiles.save(profile("dev"));
            profiles.saveActive("dev");
            Files.writeString(root.resolve("config/magi/evil.yaml"), "name: evil\n");
            Set<Path> before = filesUnderRoot();

            for (Runnable action : List.<Runnable>of(
                    () -> profiles.load(name),
                    () -> profiles.delete(name),
                    () -> profiles.saveActive(name),
                    () -> ProfileYaml.parse("name: x\n", name))) {
                assertThat(failureOf(action).code()).isEqualTo(ErrorCode.INVALID_PROFILE_NAME);
            }
            assertThatThrownBy(() -> profiles.save(profile(name)))
                    .isInstanceOfSatisfying(MagiException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_PROFILE_NAME));

            assertThat(filesUnderRoot()).isEqualTo(before);
            assertThat(profiles.loadActive()).contains("dev");
        }

        @Test
        @DisplayName("null is refused as a name")
        void nullName() {
            assertThat(failureOf(() -> profiles.load(null)).code()).isEqualTo(ErrorCode.INVALID_PROFILE_NAME);
            assertThat(failureOf(() -> profiles.delete(null)).code()).isEqualTo(ErrorCode.INVALID_PROFILE_NAME);
        }
    }

    @Nested
    @DisplayName("the active profile")
    class Active {

        @Test
        @DisplayName("none is active at first")
        void none() {
            assertThat(profiles.loadActive()).isEmpty();
        }

        @Test
        @DisplayName("the recorded name is read back, replaced and cleared")
        void recorded() {
            profiles.saveActive("dev");
            assertThat(profiles.loadActive()).contains("dev");

            profiles.saveActive("prod");
            assertThat(profiles.loadActive()).contains("prod");

            profiles.saveActive(null);
            assertThat(profiles.loadActive()).isEmpty();
            profiles.saveActive(null);
            assertThat(profiles.loadActive()).isEmpty();
        }

        @Test
        @DisplayName("the marker is not listed as a profile")
        void notAProfile() {
            profiles.saveActive("dev");

            assertThat(profiles.names()).isEmpty();
        }

        @ParameterizedTest(name = "\"{0}\"")
        @DisplayName("a damaged marker reads as no active profile")
        @ValueSource(strings = {"", "   \n", "../../evil", "a b"})
        void damaged(String content) throws IOException {
            write(ProfileDirectory.ACTIVE_FILE, content);

            assertThat(profiles.loadActive()).isEmpty();
        }
    }
}
