package dev.pagoda.model;

import dev.pagoda.config.ModelConfig;
import dev.pagoda.testutil.Shared;
import dev.pagoda.testutil.TestModel;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Structural: one forward pass reads every weight matrix exactly once, whatever the batch holds —
 * one token or 16 sequences' worth — so batching many sequences costs no extra weight traffic.
 */
class WeightReadsTest {
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 16})
    void eachMatrixIsReadOncePerStep(int sequences) {
        try (TestModel m = new TestModel(Shared.path("models/fixtures/qwen2/hf"), null, 2, 16, 64, 256)) {
            ModelConfig c = m.checkpoint.config();
            long perLayer = c.qDim() + 2L * c.kvDim() + c.hiddenSize() + 2L * c.intermediateSize() + c.hiddenSize();
            long allRows = c.numLayers() * perLayer + c.vocabSize(); // + the LM head
            List<int[]> seqs = new ArrayList<>();
            for (int s = 0; s < sequences; s++) seqs.add(new int[]{40 + s, 77, 258});
            int[][] tables = new int[sequences][];
            for (int s = 0; s < sequences; s++) tables[s] = new int[]{s};
            long before = m.decoder.weightRowsRead();
            BatchInvarianceTest.runBatch(m, seqs, tables);
            assertEquals(allRows, m.decoder.weightRowsRead() - before);
        }
    }
}
