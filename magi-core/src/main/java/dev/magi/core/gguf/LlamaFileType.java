package dev.magi.core.gguf;

import java.util.Locale;
import java.util.Optional;

/**
 * The values of {@code general.file_type}: llama.cpp's {@code enum llama_ftype}, which says how most
 * of a model's weights are quantized. Names are llama.cpp's without the {@code MOSTLY_} prefix, so
 * the lower-case name is what users know from file names ({@code q4_k_m}). Ids llama.cpp has
 * retired (4 to 6, 33 to 35) are not listed: for those files the tensor types say more.
 */
public enum LlamaFileType {
    F32(0),
    F16(1),
    Q4_0(2),
    Q4_1(3),
    Q8_0(7),
    Q5_0(8),
    Q5_1(9),
    Q2_K(10),
    Q3_K_S(11),
    Q3_K_M(12),
    Q3_K_L(13),
    Q4_K_S(14),
    Q4_K_M(15),
    Q5_K_S(16),
    Q5_K_M(17),
    Q6_K(18),
    IQ2_XXS(19),
    IQ2_XS(20),
    Q2_K_S(21),
    IQ3_XS(22),
    IQ3_XXS(23),
    IQ1_S(24),
    IQ4_NL(25),
    IQ3_S(26),
    IQ3_M(27),
    IQ2_S(28),
    IQ2_M(29),
    IQ4_XS(30),
    IQ1_M(31),
    BF16(32),
    TQ1_0(36),
    TQ2_0(37),
    MXFP4_MOE(38),
    NVFP4(39),
    Q1_0(40);

    private static final LlamaFileType[] BY_ID = new LlamaFileType[41];

    static {
        for (LlamaFileType type : values()) {
            BY_ID[type.id] = type;
        }
    }

    private final int id;
    private final String lowerCaseName;

    LlamaFileType(int id) {
        this.id = id;
        this.lowerCaseName = name().toLowerCase(Locale.ROOT);
    }

    /** The value of {@code general.file_type}. */
    public int id() {
        return id;
    }

    /** The name as MAGI reports a quantization: {@code q4_k_m}, {@code bf16}, {@code mxfp4_moe}. */
    public String lowerCaseName() {
        return lowerCaseName;
    }

    /** The file type with this id; empty for ids llama.cpp does not (or no longer) define. */
    public static Optional<LlamaFileType> fromId(long id) {
        return id >= 0 && id < BY_ID.length ? Optional.ofNullable(BY_ID[(int) id]) : Optional.empty();
    }
}
