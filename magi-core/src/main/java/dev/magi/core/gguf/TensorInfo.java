package dev.magi.core.gguf;

import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * One tensor as the header describes it: its name, its dimensions (innermost first, as ggml
 * stores them), its ggml type id and the offset of its data relative to the start of the tensor
 * data. The type is kept as the raw id so that a tensor of a type newer than MAGI is still read.
 *
 * @param name       the tensor's name, such as {@code blk.0.attn_q.weight}
 * @param dimensions one to four non-negative sizes; the array is copied in and out
 * @param ggmlType   the {@code ggml_type} id; see {@link #type()}
 * @param offset     where the data starts, relative to {@link GgufHeader#tensorDataOffset()}
 */
public record TensorInfo(String name, long[] dimensions, int ggmlType, long offset) {

    /** ggml's {@code GGML_MAX_DIMS}: no tensor in a GGUF file has more. */
    public static final int MAX_DIMENSIONS = 4;

    public TensorInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dimensions, "dimensions");
        if (dimensions.length > MAX_DIMENSIONS) {
            throw new IllegalArgumentException("tensor '" + name + "' has " + dimensions.length
                    + " dimensions; at most " + MAX_DIMENSIONS + " are allowed");
        }
        dimensions = dimensions.clone();
        for (long dimension : dimensions) {
            if (dimension < 0) {
                throw new IllegalArgumentException("tensor '" + name + "' has a negative dimension " + dimension);
            }
        }
        if (offset < 0) {
            throw new IllegalArgumentException("tensor '" + name + "' has a negative offset " + offset);
        }
        // Fails here rather than in elementCount(), so that every TensorInfo has a countable size.
        product(dimensions, name);
    }

    @Override
    public long[] dimensions() {
        return dimensions.clone();
    }

    /** The number of elements: the product of the dimensions (1 for no dimensions, as in ggml). */
    public long elementCount() {
        return product(dimensions, name);
    }

    /** The type, when this version of MAGI knows its id. */
    public Optional<GgmlType> type() {
        return GgmlType.fromId(ggmlType);
    }

    private static long product(long[] dimensions, String name) {
        long product = 1;
        try {
            for (long dimension : dimensions) {
                product = Math.multiplyExact(product, dimension);
            }
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("the dimensions of tensor '" + name + "' "
                    + Arrays.toString(dimensions) + " multiply to more than " + Long.MAX_VALUE, e);
        }
        return product;
    }

    // Records compare arrays by identity; two infos read from the same bytes must be equal.
    @Override
    public boolean equals(Object other) {
        return other instanceof TensorInfo that
                && name.equals(that.name)
                && Arrays.equals(dimensions, that.dimensions)
                && ggmlType == that.ggmlType
                && offset == that.offset;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, Arrays.hashCode(dimensions), ggmlType, offset);
    }

    @Override
    public String toString() {
        String typeName = type().map(GgmlType::lowerCaseName).orElse("type " + ggmlType);
        return "TensorInfo[" + name + " " + Arrays.toString(dimensions) + " " + typeName + " @" + offset + "]";
    }
}
