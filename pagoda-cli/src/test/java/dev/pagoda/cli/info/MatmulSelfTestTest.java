package dev.pagoda.cli.info;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class MatmulSelfTestTest {
    /** Sizes that are not a multiple of the vector length take the tail path; results still agree. */
    @Test
    void selfTestChecksItsResult() {
        MatmulSelfTest.Result r = MatmulSelfTest.run(37);
        assertTrue(r.passed(), r.toString());
        assertTrue(r.maxRelativeError() < 1e-5, r.toString());
        float[] a = new float[9], b = new float[9], c = new float[9], d = new float[9];
        for (int i = 0; i < 9; i++) {
            a[i] = i;
            b[i] = 9 - i;
        }
        // the vector kernel computes A·Bᵀ: C[0][1] = 0·6 + 1·5 + 2·4 = 13
        MatmulSelfTest.vector(a, b, c, 3, 3);
        MatmulSelfTest.scalar(a, b, d, 3, 3);
        assertEquals(13f, c[1]);
        assertArrayEquals(d, c);
    }
}
