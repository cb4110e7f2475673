package dev.magi.core.gguf;

import java.util.Optional;

/** The type of a GGUF metadata value, with the id it has on the wire (gguf.md, {@code gguf_type}). */
public enum GgufValueType {
    UINT8(0, 1),
    INT8(1, 1),
    UINT16(2, 2),
    INT16(3, 2),
    UINT32(4, 4),
    INT32(5, 4),
    FLOAT32(6, 4),
    BOOL(7, 1),
    /** A uint64 byte length followed by UTF-8 bytes. */
    STRING(8, 8),
    /** A uint32 element type, a uint64 count, then the elements. */
    ARRAY(9, 12),
    UINT64(10, 8),
    INT64(11, 8),
    FLOAT64(12, 8);

    private static final GgufValueType[] BY_ID = new GgufValueType[13];

    static {
        for (GgufValueType type : values()) {
            BY_ID[type.id] = type;
        }
    }

    private final int id;
    private final int minimumSize;

    GgufValueType(int id, int minimumSize) {
        this.id = id;
        this.minimumSize = minimumSize;
    }

    /** The id written in the file. */
    public int id() {
        return id;
    }

    /**
     * The fewest bytes one value of this type can take in a file: its size for fixed-size types,
     * the length prefix for strings and the type-and-count prefix for arrays. Used to reject a
     * count before anything is allocated for it.
     */
    public int minimumSize() {
        return minimumSize;
    }

    /** Whether every value of this type takes {@link #minimumSize()} bytes. */
    public boolean isFixedSize() {
        return this != STRING && this != ARRAY;
    }

    /** Whether values of this type are read as {@link Long} (or {@link java.math.BigInteger}). */
    public boolean isInteger() {
        return switch (this) {
            case UINT8, INT8, UINT16, INT16, UINT32, INT32, UINT64, INT64 -> true;
            default -> false;
        };
    }

    /** The type with this wire id; empty for an id no GGUF version defines. */
    public static Optional<GgufValueType> fromId(long id) {
        return Optional.ofNullable(byId(id));
    }

    static GgufValueType byId(long id) {
        return id >= 0 && id < BY_ID.length ? BY_ID[(int) id] : null;
    }
}
