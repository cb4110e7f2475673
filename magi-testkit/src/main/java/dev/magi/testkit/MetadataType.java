package dev.magi.testkit;

/**
 * The type of a GGUF metadata value as the file spells it ({@code gguf_metadata_value_type} in the
 * GGUF format description), for {@link GgufWriter} and {@link GgufBytes}.
 *
 * <p>Written from the format description, not taken from MAGI's reader: a test that writes with
 * these ids and reads with the reader's would pass over a wrong id the two shared, so they are kept
 * apart on purpose.
 */
public enum MetadataType {
    UINT8(0),
    INT8(1),
    UINT16(2),
    INT16(3),
    UINT32(4),
    INT32(5),
    FLOAT32(6),
    BOOL(7),
    /** A uint64 byte length followed by UTF-8 bytes. */
    STRING(8),
    /** A uint32 element type, a uint64 count, then the elements. */
    ARRAY(9),
    UINT64(10),
    INT64(11),
    FLOAT64(12);

    private final int id;

    MetadataType(int id) {
        this.id = id;
    }

    /** The id written in the file. */
    public int id() {
        return id;
    }
}
