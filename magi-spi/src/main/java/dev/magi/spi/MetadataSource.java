package dev.magi.spi;

import java.util.Locale;

/** Where a model's facts came from: its GGUF header, or (when that could not be read) its file name. */
public enum MetadataSource {
    GGUF, FILENAME;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static MetadataSource parse(String text) {
        for (MetadataSource source : values()) {
            if (source.wireName().equalsIgnoreCase(text)) {
                return source;
            }
        }
        throw MagiException.invalidRequest("Unknown metadata source '" + text + "'", "metadataSource");
    }
}
