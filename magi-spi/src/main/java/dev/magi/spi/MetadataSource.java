package dev.magi.spi;

import java.util.Locale;

/** Where a model's facts came from: its GGUF header, or (when that could not be read) its file name. */
public enum MetadataSource {
    GGUF, FILENAME;

    private final String wireName = name().toLowerCase(Locale.ROOT);

    public String wireName() {
        return wireName;
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
