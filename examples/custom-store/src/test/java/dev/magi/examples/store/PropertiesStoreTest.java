package dev.magi.examples.store;

import dev.magi.spi.ErrorCode;
import dev.magi.spi.MagiException;
import dev.magi.spi.RegistryStore;
import dev.magi.spi.Settings;
import dev.magi.spi.StoreProvider;
import dev.magi.testkit.store.RegistryStoreContract;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * MAGI's contract suite, run against this plugin: extending {@link RegistryStoreContract} is all a
 * third-party store needs to be checked as the built-in ones are (discovery by name, every field kept,
 * order, profiles, concurrent changes, and a writer killed with SIGKILL). The tests below it are this
 * store's own.
 */
@DisplayName("The properties store")
class PropertiesStoreTest extends RegistryStoreContract {

    @Override
    protected StoreProvider provider() {
        return new PropertiesStoreProvider();
    }

    @Override
    protected Settings settings(Path dir) {
        return fileSettings(dir);
    }

    /** The writer the suite kills runs in a JVM of its own: it needs this plugin's own key too. */
    @Override
    protected List<String> settingKeys() {
        List<String> keys = new ArrayList<>(super.settingKeys());
        keys.add(PropertiesStoreProvider.FILE_KEY);
        return keys;
    }

    @Test
    @DisplayName("keeps everything in one file beside REGISTRY_PATH, .json becoming .properties")
    void oneFile() {
        store.saveRegistry(fullRegistry(""));
        store.saveProfile(fullProfile("coding"));
        assertThat(dir.resolve("data/model_registry.properties")).isRegularFile();
        assertThat(dir.resolve("data/model_registry.json")).doesNotExist();
        assertThat(dir.resolve("config/profiles")).doesNotExist();
    }

    @Test
    @DisplayName("uses MAGI_PROPERTIES_FILE when it is set")
    void ownSetting() {
        Path file = dir.resolve("elsewhere/magi.properties");
        Settings settings = Settings.of(Map.of(PropertiesStoreProvider.FILE_KEY, file.toString()));
        try (RegistryStore own = provider().open(settings)) {
            own.saveRegistry(fullRegistry(""));
        }
        assertThat(file).isRegularFile();
        try (RegistryStore reopened = provider().open(settings)) {
            assertThat(reopened.loadRegistry()).contains(fullRegistry(""));
        }
    }

    @Test
    @DisplayName("refuses a file it cannot understand, as a storage failure naming it")
    void damagedFile() throws IOException {
        store.close();
        store = null;
        Path file = dir.resolve("data/model_registry.properties");
        Files.createDirectories(file.getParent());
        Files.writeString(file, "format=1\nregistry.models=1\n");
        assertThatThrownBy(() -> open().close()).isInstanceOf(MagiException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("missing key model.0.modelId")
                .extracting(e -> ((MagiException) e).code()).isEqualTo(ErrorCode.STORAGE_FAILED);
    }
}
