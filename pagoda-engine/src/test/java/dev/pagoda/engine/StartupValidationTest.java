package dev.pagoda.engine;

import dev.pagoda.PagodaException;
import dev.pagoda.config.EngineArgs;
import dev.pagoda.testutil.Shared;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Nonsensical engine settings fail at start-up with a message naming the flag and the figures. */
class StartupValidationTest {
    static EngineArgs args() {
        EngineArgs a = new EngineArgs().model(Shared.path("models/stories260K/stories260K.gguf"));
        a.kvCacheMemory = 16L << 20;
        a.maxNumSeqs = 4;
        return a;
    }

    static void assertFlagError(String flag, String value, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> args().set(flag, value));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void flagValuesAreChecked() {
        assertFlagError("--block-size", "0", "--block-size must be at least 1, got 0");
        assertFlagError("--gpu-memory-utilization", "1.5", "--gpu-memory-utilization must be in (0, 1], got 1.5");
        assertFlagError("--max-num-seqs", "many", "--max-num-seqs must be an integer, got 'many'");
        assertFlagError("--dtype", "int8", "--dtype must be auto, float32, float16 or bfloat16, got 'int8'");
        assertFlagError("--kv-cache-dtype", "float16", "--kv-cache-dtype must be auto, float32 or bfloat16");
        assertFlagError("--kv-cache-memory", "lots", "--kv-cache-memory must be a byte count such as 4GiB, got 'lots'");
    }

    @Test
    void maxModelLenAboveThePositionLimit() {
        EngineArgs a = args();
        a.maxModelLen = 4096;
        PagodaException e = assertThrows(PagodaException.class, () -> new LLM(a).close());
        assertTrue(e.getMessage().contains("--max-model-len 4096 is greater than the model's maximum of 2048"), e.getMessage());
    }

    @Test
    void batchBudgetBelowMaxModelLenWithoutChunkedPrefill() {
        EngineArgs a = args();
        a.enableChunkedPrefill = false;
        a.maxNumBatchedTokens = 512;
        PagodaException e = assertThrows(PagodaException.class, () -> new LLM(a).close());
        assertTrue(e.getMessage().contains("--max-num-batched-tokens (512) is smaller than --max-model-len (2048)"), e.getMessage());
    }

    @Test
    void oneMaxLengthSequenceMustFitTheKvPool() {
        EngineArgs a = args();
        a.kvCacheMemory = 1L << 20; // stories260K: 1,280 bytes a token -> 819 tokens, below 2048
        PagodaException e = assertThrows(PagodaException.class, () -> new LLM(a).close());
        assertTrue(e.getMessage().contains("to serve one request of the max-model-len (2048 tokens)")
                && e.getMessage().contains("the largest max-model-len that fits is 768"), e.getMessage());
    }
}
