package dev.pagoda.kernel;

import dev.pagoda.model.loader.DType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.Arena;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

class MatmulTest {
    private static final int L = VectorMath.L;

    /**
     * The fused SwiGLU loop gives, bitwise, the two products of {@link Matmul#multiply} and the
     * activation applied to whole rows afterwards: for a decode step, a few sequences and a
     * prefill-sized batch, on two threads (the workers' row blocks end wherever the claims do).
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "BF16", "Q8_0", "Q4_0"})
    void swiGluEqualsTheProductsThenTheActivation(DType type) {
        int rows = 9 * L + 13, cols = 160;
        try (Arena arena = Arena.ofShared(); WorkerPool pool = new WorkerPool(2)) {
            WeightMatrix gate = packed(arena, WeightKernelsTest.random(arena, type, rows, cols, 11).matrix());
            WeightMatrix up = packed(arena, WeightKernelsTest.random(arena, type, rows, cols, 12).matrix());
            Matmul matmul = new Matmul(pool);
            for (int m : new int[]{1, 3, 37}) {
                SplittableRandom rnd = new SplittableRandom(m);
                float[] x = new float[m * cols];
                for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
                float[] expectedGate = new float[m * rows], expectedUp = new float[m * rows];
                matmul.multiply(gate, x, cols, m, expectedGate, rows);
                matmul.multiply(up, x, cols, m, expectedUp, rows);
                for (int t = 0; t < m; t++) VectorMath.siluMul(expectedGate, expectedUp, t * rows, rows, new float[VectorMath.SILU_SCRATCH]);
                // Repeated: each run splits the rows between the workers differently.
                for (int run = 0; run < 20; run++) {
                    float[] g = new float[m * rows], u = new float[m * rows];
                    matmul.multiplySwiGlu(gate, up, g, u, rows, x, cols, m);
                    for (int i = 0; i < g.length; i++) {
                        assertEquals(Float.floatToRawIntBits(expectedUp[i]), Float.floatToRawIntBits(u[i]), type + " m=" + m + " up " + i);
                        assertEquals(Float.floatToRawIntBits(expectedGate[i]), Float.floatToRawIntBits(g[i]), type + " m=" + m + " gate " + i);
                    }
                }
            }
        }
    }

    private static WeightMatrix packed(Arena arena, WeightMatrix rowMajor) {
        return rowMajor.packInto(arena.allocate(rowMajor.packedBytes(), 64));
    }
}
