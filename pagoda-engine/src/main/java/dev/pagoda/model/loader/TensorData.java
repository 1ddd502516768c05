package dev.pagoda.model.loader;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * A tensor as stored in a checkpoint: its name, element format, shape in Hugging Face order
 * (slowest-varying dimension first, e.g. {@code [out, in]} for a linear weight) and its bytes
 * (a slice of the memory-mapped file, or of an off-heap arena after a conversion).
 */
public record TensorData(String name, DType type, long[] shape, MemorySegment data) {
    public long elementCount() {
        long n = 1;
        for (long d : shape) n *= d;
        return n;
    }

    public String shapeString() {
        return Arrays.toString(shape);
    }
}
