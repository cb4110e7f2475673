package dev.magi.testkit.store;

import dev.magi.spi.ErrorCode;
import dev.magi.spi.MagiException;
import dev.magi.spi.RegistrySnapshot;
import dev.magi.spi.Settings;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What the file stores promise beyond the contract: a damaged registry file is moved aside, kept,
 * and the last good copy used. A store that keeps its registry in one file, as MAGI's {@code json}
 * and {@code yaml} stores do, extends this instead of {@link RegistryStoreContract}.
 */
public abstract class FileRegistryStoreContract extends RegistryStoreContract {

    /** The registry file of the store opened with {@link #settings}. */
    protected abstract Path registryFile();

    @Override
    protected Settings settings(Path dir) {
        return fileSettings(dir);
    }

    /**
     * The last good copy a file store keeps of {@code registryFile}: {@code NAME.bak} beside it, the
     * copy it falls back on when the file itself is damaged.
     */
    protected static Path backupOf(Path registryFile) {
        return registryFile.resolveSibling(registryFile.getFileName() + ".bak");
    }

    private List<Path> movedAside() throws IOException {
        String prefix = registryFile().getFileName() + ".corrupt-";
        try (Stream<Path> files = Files.list(registryFile().getParent())) {
            return files.filter(p -> p.getFileName().toString().startsWith(prefix)).toList();
        }
    }

    @Test
    @DisplayName("moves a registry file it cannot parse aside, keeps it, and uses the last good copy")
    void corruptFile() throws IOException {
        store.saveRegistry(fullRegistry("-old"));
        store.saveRegistry(fullRegistry("-new"));
        Files.writeString(registryFile(), "{\"models\": {\"x\": [[[");

        RegistrySnapshot loaded = reopen().loadRegistry().orElseThrow();

        assertThat(loaded).isEqualTo(fullRegistry("-old"));
        assertThat(registryFile()).doesNotExist();
        assertThat(movedAside()).singleElement()
                .satisfies(aside -> assertThat(Files.readString(aside)).isEqualTo("{\"models\": {\"x\": [[["));
    }

    @Test
    @DisplayName("takes a file cut off at any point for damaged, never for a smaller registry")
    void truncatedFile() throws IOException {
        store.saveRegistry(fullRegistry("-old"));
        store.saveRegistry(fullRegistry("-new"));
        byte[] whole = Files.readAllBytes(registryFile());
        byte[] backup = Files.readAllBytes(backupOf(registryFile()));
        List<Integer> cuts = new ArrayList<>();
        for (int i = 0; i < whole.length; i++) {
            if (whole[i] == '\n') {
                cuts.add(i + 1);  // a cut at a line's end leaves a file that still parses line by line
            }
        }
        Random random = new Random();
        for (int i = 0; i < 10; i++) {
            cuts.add(random.nextInt(whole.length));
        }
        cuts.add(0);
        for (int cut : cuts) {
            if (cut >= whole.length) {
                continue;
            }
            Files.write(registryFile(), Arrays.copyOf(whole, cut));
            Files.write(backupOf(registryFile()), backup);

            assertThat(store.loadRegistry()).as("file cut after %d of %d bytes", cut, whole.length)
                    .contains(fullRegistry("-old"));
            assertThat(registryFile()).doesNotExist();
        }
        assertThat(movedAside()).hasSize((int) cuts.stream().filter(c -> c < whole.length).count());
    }

    @Test
    @DisplayName("moves aside a file of the wrong shape and answers no registry when there is no good copy")
    void wrongShapeWithoutBackup() throws IOException {
        Files.createDirectories(registryFile().getParent());
        Files.writeString(registryFile(), "[1, 2, 3]\n...\n");
        assertThat(store.loadRegistry()).isEmpty();
        assertThat(registryFile()).doesNotExist();
        assertThat(movedAside()).hasSize(1);
    }

    @Test
    @DisplayName("keeps the registry it replaces as the .bak copy")
    void backup() throws IOException {
        store.saveRegistry(fullRegistry("-first"));
        store.saveRegistry(fullRegistry("-second"));
        assertThat(backupOf(registryFile())).exists();
        store.close();
        store = null;
        // Read the copy as the registry file itself, with nothing else to fall back on.
        Files.move(backupOf(registryFile()), registryFile(), StandardCopyOption.REPLACE_EXISTING);

        store = open();
        assertThat(store.loadRegistry()).contains(fullRegistry("-first"));
        assertThat(movedAside()).isEmpty();
    }

    @Test
    @DisplayName("refuses a registry path that is a FIFO, naming the path, instead of waiting for a writer")
    void fifo() throws Exception {
        store.close();
        store = null;
        Files.createDirectories(registryFile().getParent());
        Files.deleteIfExists(registryFile());
        assumeTrue(mkfifo(registryFile()), "mkfifo is not available here");
        store = open();

        Future<?> load = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "fifo-reader");
            thread.setDaemon(true);
            return thread;
        }).submit(() -> store.loadRegistry());
        try {
            assertThatThrownBy(() -> load.get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause()
                    .isInstanceOfSatisfying(MagiException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.STORAGE_FAILED);
                        assertThat(e.getMessage()).contains(registryFile().toString())
                                .contains("not a regular file");
                    });
        } finally {
            if (!load.isDone()) {
                // Let a reader blocked on the FIFO go, so it does not outlive the test.
                try (OutputStream writer = Files.newOutputStream(registryFile())) {
                    writer.flush();
                }
            }
        }
    }

    private static boolean mkfifo(Path path) {
        try {
            return new ProcessBuilder("mkfifo", path.toString()).inheritIO().start().waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
