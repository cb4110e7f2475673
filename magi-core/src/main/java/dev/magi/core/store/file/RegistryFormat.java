package dev.magi.core.store.file;

import com.fasterxml.jackson.databind.JsonNode;
import dev.magi.spi.RegistrySnapshot;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * How a file store turns the registry into bytes and back: the one thing the {@code json} and
 * {@code yaml} stores do differently. Both write the document of {@link dev.magi.core.json.RegistryJson}.
 */
public interface RegistryFormat {

    /** The format's name for messages, such as {@code JSON}. */
    String name();

    /**
     * Reads the document of a registry file.
     *
     * @throws IOException when the bytes are not a complete document of this format
     */
    JsonNode read(InputStream in) throws IOException;

    /** Writes {@code registry} as a complete document. */
    void write(RegistrySnapshot registry, OutputStream out) throws IOException;

    /** The registry as compact JSON; each call makes a format with its own memory of the last save. */
    static RegistryFormat json() {
        return JacksonRegistryFormat.json();
    }

    /** The registry as YAML, ended by an explicit {@code ...} marker so that a cut-off file is never taken for a whole one. */
    static RegistryFormat yaml() {
        return JacksonRegistryFormat.YAML;
    }
}
