package dev.magi.core.gguf;

import java.util.Locale;
import java.util.Optional;

/**
 * The type of a tensor's data, with its id from ggml's {@code enum ggml_type}. Ids are never reused
 * there, so the types ggml has since dropped from GGUF files (the {@code Q4_0_4_4} family) are kept
 * here: old files still carry them. A tensor whose id is not listed is still read; only its type
 * name is unknown.
 */
public enum GgmlType {
    F32(0),
    F16(1),
    Q4_0(2),
    Q4_1(3),
    Q5_0(6),
    Q5_1(7),
    Q8_0(8),
    Q8_1(9),
    Q2_K(10),
    Q3_K(11),
    Q4_K(12),
    Q5_K(13),
    Q6_K(14),
    Q8_K(15),
    IQ2_XXS(16),
    IQ2_XS(17),
    IQ3_XXS(18),
    IQ1_S(19),
    IQ4_NL(20),
    IQ3_S(21),
    IQ2_S(22),
    IQ4_XS(23),
    I8(24),
    I16(25),
    I32(26),
    I64(27),
    F64(28),
    IQ1_M(29),
    BF16(30),
    Q4_0_4_4(31),
    Q4_0_4_8(32),
    Q4_0_8_8(33),
    TQ1_0(34),
    TQ2_0(35),
    IQ4_NL_4_4(36),
    IQ4_NL_4_8(37),
    IQ4_NL_8_8(38),
    MXFP4(39),
    NVFP4(40),
    Q1_0(41);

    private static final GgmlType[] BY_ID = new GgmlType[42];

    static {
        for (GgmlType type : values()) {
            BY_ID[type.id] = type;
        }
    }

    private final int id;
    private final String lowerCaseName;

    GgmlType(int id) {
        this.id = id;
        this.lowerCaseName = name().toLowerCase(Locale.ROOT);
    }

    /** The id written in a tensor info. */
    public int id() {
        return id;
    }

    /** The name as MAGI reports a quantization: {@code q4_k}, {@code bf16}, {@code f32}. */
    public String lowerCaseName() {
        return lowerCaseName;
    }

    /** The type with this id; empty for an id this version of MAGI does not know. */
    public static Optional<GgmlType> fromId(int id) {
        return Optional.ofNullable(byId(id));
    }

    static GgmlType byId(int id) {
        return id >= 0 && id < BY_ID.length ? BY_ID[id] : null;
    }
}
