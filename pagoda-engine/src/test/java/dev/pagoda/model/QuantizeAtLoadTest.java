package dev.pagoda.model;

import dev.pagoda.kernel.WeightMatrix;
import dev.pagoda.model.loader.Checkpoint;
import dev.pagoda.model.loader.DType;
import dev.pagoda.model.loader.TensorData;
import dev.pagoda.testutil.Shared;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * --quantization: quantizing the F32 fixture at load gives the blocks llama.cpp wrote when it
 * quantized the same F32 weights (its Q8_0/Q4_0 files), byte for byte.
 */
class QuantizeAtLoadTest {
    @ParameterizedTest
    @ValueSource(strings = {"q8_0", "q4_0"})
    void matchesLlamaCppQuantizedFile(String format) {
        DType type = DType.parse(format);
        try (Checkpoint f32 = Checkpoint.open(Shared.path("models/fixtures/qwen2/gguf/model-f32.gguf"));
             Checkpoint quantized = Checkpoint.open(Shared.path("models/fixtures/qwen2/gguf/model-" + format + ".gguf"));
             ModelWeights ours = ModelWeights.bind(f32, null, type);
             Arena arena = Arena.ofConfined()) {
            assertTrue(ours.convertedBytes() > 0);
            assertEquals(type, ours.layer(0).wq().type());
            assertEquals(type, ours.lmHead().type());
            assertTrue(ours.matrixFormats().startsWith(type.toString()), ours.matrixFormats());
            long compared = 0, differing = 0;
            for (Map.Entry<String, TensorData> e : quantized.tensors().entrySet()) {
                TensorData theirs = e.getValue();
                if (theirs.type() != type) continue;
                TensorData source = f32.tensors().get(e.getKey());
                float[] row = new float[Math.toIntExact(source.shape()[1])];
                WeightMatrix matrix = WeightMatrix.of(source);
                long rowBytes = type.bytesFor(row.length);
                MemorySegment mine = arena.allocate(rowBytes * matrix.rows());
                for (int r = 0; r < matrix.rows(); r++) {
                    matrix.decodeRow(r, row, 0);
                    DTypeConversion.encode(row, type, mine, r * rowBytes);
                }
                for (long i = 0; i < mine.byteSize(); i++) {
                    compared++;
                    if (mine.get(ValueLayout.JAVA_BYTE, i) != theirs.data().get(ValueLayout.JAVA_BYTE, i)) differing++;
                }
            }
            assertTrue(compared > 10_000, "compared " + compared + " bytes");
            assertEquals(0, differing, differing + " of " + compared + " bytes differ");
        }
    }
}
