package dev.pagoda.cli.info;

import jdk.incubator.vector.FloatVector;

/** The Vector API's view of this CPU; load only after checking the module is present. */
public final class VectorInfo {
    private VectorInfo() {
    }

    /** Bits of the preferred species, the width the kernels use. */
    public static int preferredBits() {
        return FloatVector.SPECIES_PREFERRED.vectorBitSize();
    }

    /**
     * Whether Vector API calls compile to SIMD instructions: C2 runs and its largest vector
     * ({@code MaxVectorSize}) holds the preferred species. Otherwise they run as Java loops over
     * arrays, many times slower.
     */
    public static boolean intrinsified() {
        String max = SystemInfo.vmOption("MaxVectorSize");
        return SystemInfo.c2Available() && max != null && Integer.parseInt(max) * 8 >= preferredBits();
    }
}
