package dev.magi.core.store.yaml;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.magi.core.json.RegistryJson;
import dev.magi.spi.RegistrySnapshot;
import dev.magi.spi.StoreProvider;
import dev.magi.testkit.store.FileRegistryStoreContract;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("The yaml store")
class YamlRegistryStoreTest extends FileRegistryStoreContract {

    @Override
    protected StoreProvider provider() {
        return new YamlStoreProvider();
    }

    @Override
    protected Path registryFile() {
        return dir.resolve("data/model_registry.yaml");
    }

    @Test
    @DisplayName("writes beside REGISTRY_PATH, .json becoming .yaml, and leaves the JSON file alone")
    void fileName() {
        store.saveRegistry(fullRegistry(""));
        assertThat(registryFile()).exists();
        assertThat(dir.resolve("data/model_registry.json")).doesNotExist();

        assertThat(YamlStoreProvider.yamlFileFor(Path.of("/d/model_registry.json")))
                .isEqualTo(Path.of("/d/model_registry.yaml"));
        assertThat(YamlStoreProvider.yamlFileFor(Path.of("/d/registry.JSON"))).isEqualTo(Path.of("/d/registry.yaml"));
        assertThat(YamlStoreProvider.yamlFileFor(Path.of("/d/registry"))).isEqualTo(Path.of("/d/registry.yaml"));
        assertThat(YamlStoreProvider.yamlFileFor(Path.of("/d/registry.db"))).isEqualTo(Path.of("/d/registry.db.yaml"));
        assertThat(YamlStoreProvider.yamlFileFor(Path.of("/d/registry.yml"))).isEqualTo(Path.of("/d/registry.yml"));
    }

    @Test
    @DisplayName("holds the same document as the JSON registry, in YAML")
    void sameDocumentAsJson() throws IOException {
        RegistrySnapshot registry = fullRegistry("");
        store.saveRegistry(registry);

        String yaml = Files.readString(registryFile());
        JsonNode fromYaml = new YAMLMapper().readTree(yaml);
        JsonNode fromJson = RegistryJson.newMapper().readTree(RegistryJson.newMapper().writeValueAsString(registry));

        assertThat(fromYaml).isEqualTo(fromJson);
        assertThat(yaml).contains("displayName: \"Qwen3 4B «ünïcode» 模型\"").endsWith("\n...\n");
    }
}
