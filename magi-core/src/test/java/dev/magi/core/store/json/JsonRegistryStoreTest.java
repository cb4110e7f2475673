package dev.magi.core.store.json;

import dev.magi.core.util.AtomicFiles;
import dev.magi.spi.StoreProvider;
import dev.magi.testkit.store.FileRegistryStoreContract;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("The json store")
class JsonRegistryStoreTest extends FileRegistryStoreContract {

    @Override
    protected StoreProvider provider() {
        return new JsonStoreProvider();
    }

    @Override
    protected Path registryFile() {
        return dir.resolve("data/model_registry.json");
    }

    @Test
    @DisplayName("writes the registry at REGISTRY_PATH as JSON")
    void fileName() throws IOException {
        store.saveRegistry(fullRegistry(""));
        assertThat(Files.readString(registryFile())).startsWith("{\"models\":{").contains("\"qwen3-4b\":{");
    }

    @Test
    @DisplayName("a write that fails half-way leaves the old registry and no temporary file")
    void tornWrite() throws IOException {
        store.saveRegistry(fullRegistry("-old"));
        byte[] before = Files.readAllBytes(registryFile());

        assertThatThrownBy(() -> AtomicFiles.write(registryFile(), out -> {
            out.write("{\"models\": {".getBytes());
            throw new IOException("disk full");
        })).hasMessage("disk full");

        assertThat(Files.readAllBytes(registryFile())).isEqualTo(before);
        try (var files = Files.list(registryFile().getParent())) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains(".tmp-"));
        }
    }

    @Test
    @DisplayName("removes at start the temporary files of saves killed mid-way, and only its own")
    void staleTemporaries() throws IOException {
        store.saveRegistry(fullRegistry(""));
        Path data = registryFile().getParent();
        Path profiles = dir.resolve("config/profiles");
        Files.createDirectories(profiles);
        List<Path> stale = List.of(data.resolve(".model_registry.json.tmp-5f3a9c0e12b4d678"),
                profiles.resolve(".work.yaml.tmp-1a"), profiles.resolve("..active.tmp-ff"));
        List<Path> foreign = List.of(data.resolve(".notes.txt.tmp-1a"), data.resolve("model_registry.json.tmp-1a"),
                data.resolve(".model_registry.json.tmp-draft"), profiles.resolve(".not a name.yaml.tmp-1a"));
        for (Path file : stale) {
            Files.writeString(file, "{\"models\": {");
        }
        for (Path file : foreign) {
            Files.writeString(file, "kept");
        }

        assertThat(reopen().loadRegistry()).contains(fullRegistry(""));

        assertThat(stale).allSatisfy(file -> assertThat(file).doesNotExist());
        assertThat(foreign).allSatisfy(file -> assertThat(file).hasContent("kept"));
    }
}
