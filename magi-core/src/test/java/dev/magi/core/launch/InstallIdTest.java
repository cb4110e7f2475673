package dev.magi.core.launch;

import dev.magi.spi.ErrorCode;
import dev.magi.spi.MagiException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

@DisplayName("The install id")
class InstallIdTest {
    @TempDir
    Path dir;

    @Test
    @DisplayName("is made once and kept in data/install-id, the same at every start, another for another installation")
    void keptAcrossStarts() {
        String first = InstallId.of(dir.resolve("data"));

        assertThat(first).matches("[A-Za-z0-9-]{8,64}");
        assertThat(dir.resolve("data/install-id")).content().isEqualToIgnoringNewLines(first);
        assertThat(InstallId.of(dir.resolve("data"))).isEqualTo(first);
        assertThat(InstallId.of(dir.resolve("other-data"))).isNotEqualTo(first);
    }

    @Test
    @DisplayName("is never replaced when its file is damaged: the start stops with a clear error")
    void damagedFileKept() throws Exception {
        Path file = Files.createDirectories(dir.resolve("data")).resolve("install-id");
        Files.writeString(file, "not an id!\n");

        MagiException e = catchThrowableOfType(MagiException.class, () -> InstallId.of(dir.resolve("data")));

        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION);
        assertThat(e.getMessage()).contains(file.toString()).contains("install id");
        assertThat(file).content().isEqualTo("not an id!\n");
    }
}
