package dev.pagoda.cli.plan;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Bits per weight of the quantized linear layers (attention and MLP matrices; embeddings, the LM
 * head and norms keep the dtype): fp8 and int8 8 bits; awq and gptq 4 bits plus a 16-bit scale and
 * a 16-bit zero point per group of 128 = 4.25; GGUF q8_0 34 bytes per 32 weights = 8.5; q4_0 18 bytes per 32 = 4.5.
 */
public final class Quantization {
    private static final Map<String, Double> BITS = new TreeMap<>(Map.of(
            "fp8", 8.0, "int8", 8.0, "awq", 4.25, "gptq", 4.25, "q8_0", 8.5, "q4_0", 4.5));

    private Quantization() {
    }

    public static double bitsPerWeight(String name) {
        Double bits = BITS.get(name.toLowerCase(Locale.ROOT));
        if (bits == null) throw new IllegalArgumentException("--quantization must be one of " + BITS.keySet() + ", got '" + name + "'");
        return bits;
    }
}
