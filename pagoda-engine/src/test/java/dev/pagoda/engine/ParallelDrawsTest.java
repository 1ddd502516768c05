package dev.pagoda.engine;

import dev.pagoda.config.GenerationConfig;
import dev.pagoda.kernel.WorkerPool;
import dev.pagoda.sampling.SamplingParams;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Tokens drawn on the workers are the tokens the engine thread alone draws. */
class ParallelDrawsTest {
    /** A vocabulary large enough that a step's draws are worth sharing out (WorkerPool.MIN_PARALLEL_WORK). */
    private static final int VOCAB = 40_000;

    /** Every sequence's token ids, by request id then sequence index, from a run of the same requests on {@code workers}. */
    private static List<String> run(WorkerPool workers) {
        FakeRunner runner = new FakeRunner(VOCAB, 256, 16, 512, 16, 256);
        runner.workers = workers;
        LLMEngine e = new LLMEngine(runner, null, GenerationConfig.EMPTY, 256, 16, 512, true, true);
        List<Integer> allowed = new ArrayList<>();
        for (int id = 7; id < VOCAB; id += 3) allowed.add(id);
        for (int i = 0; i < 9; i++) {
            SamplingParams.Builder p = SamplingParams.builder().maxTokens(12 + i).ignoreEos(true).seed(100L + i);
            switch (i % 4) {
                case 0 -> p.temperature(0.9).topP(0.95).n(2);
                // logits processors, the sequences of one request on both threads at once: their processors are shared
                case 1 -> p.temperature(1.3).topK(50).presencePenalty(0.5).repetitionPenalty(1.3).n(2);
                case 2 -> p.temperature(0.7).allowedTokenIds(allowed).frequencyPenalty(0.4).minTokens(3).n(3);
                default -> p.temperature(0.0); // greedy
            }
            e.addRequest("r" + i, null, new int[]{1 + i, 2, 3 + 2 * i}, p.build());
        }
        TreeMap<String, String> tokens = new TreeMap<>();
        while (e.hasUnfinishedRequests()) {
            for (RequestOutput o : e.step()) {
                if (!o.finished()) continue;
                for (CompletionOutput c : o.outputs()) tokens.put(o.requestId() + "/" + c.index(), java.util.Arrays.toString(c.tokenIds()));
            }
        }
        List<String> out = new ArrayList<>();
        tokens.forEach((k, v) -> out.add(k + " " + v));
        return out;
    }

    @Test
    void drawsOnTwoThreadsAreTheEngineThreadsDraws() {
        List<String> alone = run(null);
        assertEquals(18, alone.size(), "9 requests: 3 + 2 with n = 2, 2 with n = 3, 2 alone");
        try (WorkerPool pool = new WorkerPool(2)) {
            assertEquals(alone, run(pool));
            assertEquals(alone, run(pool)); // and again: the split between the threads may differ
        }
    }
}
