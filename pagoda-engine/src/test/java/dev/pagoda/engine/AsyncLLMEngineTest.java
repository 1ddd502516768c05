package dev.pagoda.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pagoda.config.GenerationConfig;
import dev.pagoda.model.ForwardBatch;
import dev.pagoda.sampling.SamplingParams;
import dev.pagoda.testutil.Shared;
import dev.pagoda.testutil.TestModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The engine thread: concurrent callers, aborts and failing steps leave no request hanging and no block held. */
@Timeout(120)
class AsyncLLMEngineTest {
    static final JsonNode REF = Shared.json("reference/stories260K-llamacpp.json");

    /** Wraps a runner and throws from the forward pass while {@code failing} is set. */
    static final class FlakyRunner implements ModelRunner {
        final ModelRunner inner;
        volatile boolean failing;
        final AtomicInteger calls = new AtomicInteger();

        FlakyRunner(ModelRunner inner) {
            this.inner = inner;
        }

        public int vocabSize() { return inner.vocabSize(); }
        public int maxTokens() { return inner.maxTokens(); }
        public int maxLogitRows() { return inner.maxLogitRows(); }
        public int numBlocks() { return inner.numBlocks(); }
        public int blockSize() { return inner.blockSize(); }
        public void copyBlock(int src, int dst) { inner.copyBlock(src, dst); }

        public void execute(ForwardBatch batch, float[] logits) {
            calls.incrementAndGet();
            if (failing) throw new IllegalStateException("injected fault");
            inner.execute(batch, logits);
        }
    }

    static TestModel model() {
        return new TestModel(Shared.path("models/stories260K/stories260K.gguf"), null, 2, 16, 128, 256);
    }

    static SamplingParams greedy(int n) {
        return SamplingParams.builder().temperature(0.0).maxTokens(n).build();
    }

    static int[] ids(JsonNode a) {
        return LLMTest.ids(a);
    }

    @Test
    void concurrentCallersGetTheirOwnResults() throws Exception {
        try (TestModel m = model();
             AsyncLLMEngine async = new AsyncLLMEngine(new LLMEngine(new DecoderRunner(m.decoder, m.cache), null,
                     GenerationConfig.EMPTY, 512, 16, 256, true))) {
            ExecutorService pool = Executors.newFixedThreadPool(6);
            List<Future<int[]>> futures = new ArrayList<>();
            for (int i = 0; i < 24; i++) {
                JsonNode c = REF.path("cases").get(i % REF.path("cases").size());
                futures.add(pool.submit(() -> async.submit(null, null, ids(c.path("prompt_token_ids")), greedy(48))
                        .result().outputs().getFirst().tokenIds()));
            }
            for (int i = 0; i < futures.size(); i++) {
                JsonNode c = REF.path("cases").get(i % REF.path("cases").size());
                assertArrayEquals(ids(c.path("completion_token_ids")), futures.get(i).get(60, TimeUnit.SECONDS), c.path("id").asText());
            }
            pool.shutdown();
            awaitIdle(async);
            assertEquals(async.stats().totalBlocks(), async.stats().freeBlocks());
        }
    }

    @Test
    void abortFreesBlocks() throws Exception {
        try (TestModel m = model();
             AsyncLLMEngine async = new AsyncLLMEngine(new LLMEngine(new DecoderRunner(m.decoder, m.cache), null,
                     GenerationConfig.EMPTY, 2048, 16, 256, true))) {
            RequestStream s = async.submit("long", null, new int[]{1, 403, 407}, SamplingParams.builder()
                    .temperature(0.0).maxTokens(1500).ignoreEos(true).build());
            assertNotNull(s.next(30, TimeUnit.SECONDS));
            s.abort();
            RequestOutput last = s.result();
            assertEquals(FinishReason.ABORT, last.outputs().getFirst().finishReason());
            assertTrue(last.outputs().getFirst().tokenIds().length < 1500);
            awaitIdle(async);
            assertEquals(async.stats().totalBlocks(), async.stats().freeBlocks());
        }
    }

    /**
     * Metrics must have seen a request's final output before its caller does (else the server's
     * bookkeeping for a request can be dropped and re-created, counting its tokens twice). The
     * observer here is slow on purpose, so that delivering first would be caught every time.
     */
    @Test
    void theObserverSeesEveryFinalOutputBeforeItsCaller() throws Exception {
        java.util.Set<String> observedFinal = java.util.concurrent.ConcurrentHashMap.newKeySet();
        java.util.function.Consumer<List<RequestOutput>> slowObserver = outputs -> {
            for (RequestOutput o : outputs) {
                if (!o.finished()) continue;
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                observedFinal.add(o.requestId());
            }
        };
        try (TestModel m = model();
             AsyncLLMEngine async = new AsyncLLMEngine(new LLMEngine(new DecoderRunner(m.decoder, m.cache), null,
                     GenerationConfig.EMPTY, 2048, 16, 256, true), slowObserver)) {
            RequestOutput done = async.submit("done", null, new int[]{1, 403}, greedy(4)).result();
            assertTrue(observedFinal.contains("done"), "a finished request reached its caller before the observer");
            RequestStream aborted = async.submit("aborted", null, new int[]{1, 407}, SamplingParams.builder()
                    .temperature(0.0).maxTokens(1500).ignoreEos(true).build());
            assertNotNull(aborted.next(30, TimeUnit.SECONDS));
            aborted.abort();
            assertEquals(FinishReason.ABORT, aborted.result().outputs().getFirst().finishReason());
            assertTrue(observedFinal.contains("aborted"), "an aborted request reached its caller before the observer");
            assertEquals(4, done.outputs().getFirst().tokenIds().length);
        }
    }

    @Test
    void aFailingStepFailsItsRequestsAndTheEngineGoesOn() throws Exception {
        try (TestModel m = model()) {
            FlakyRunner flaky = new FlakyRunner(new DecoderRunner(m.decoder, m.cache));
            try (AsyncLLMEngine async = new AsyncLLMEngine(new LLMEngine(flaky, null, GenerationConfig.EMPTY, 512, 16, 256, true))) {
                flaky.failing = true;
                List<RequestStream> doomed = new ArrayList<>();
                for (int i = 0; i < 5; i++) doomed.add(async.submit(null, null, new int[]{1, 403 + i}, greedy(20)));
                for (RequestStream s : doomed) {
                    RequestOutput out = s.result();
                    assertTrue(out.error() != null && out.error().contains("injected fault"), String.valueOf(out.error()));
                }
                awaitIdle(async);
                assertEquals(async.stats().totalBlocks(), async.stats().freeBlocks(), "failed requests released their blocks");
                flaky.failing = false;
                JsonNode c = REF.path("cases").get(0);
                RequestOutput ok = async.submit(null, null, ids(c.path("prompt_token_ids")), greedy(48)).result();
                assertArrayEquals(ids(c.path("completion_token_ids")), ok.outputs().getFirst().tokenIds());
                assertTrue(async.healthy());
            }
        }
    }

    @Test
    void invalidRequestsFailOnTheCallersThread() throws Exception {
        try (TestModel m = model();
             AsyncLLMEngine async = new AsyncLLMEngine(new LLMEngine(new DecoderRunner(m.decoder, m.cache), null,
                     GenerationConfig.EMPTY, 64, 16, 256, true))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> async.submit(null, null, new int[64], greedy(4)));
            assertTrue(e.getMessage().contains("64 tokens"), e.getMessage());
            assertEquals(0, async.stats().running() + async.stats().waiting());
        }
    }

    static void awaitIdle(AsyncLLMEngine async) throws InterruptedException {
        for (int i = 0; i < 200 && (async.stats().running() + async.stats().waiting() > 0); i++) Thread.sleep(20);
        Thread.sleep(250); // one idle poll of the engine thread refreshes the stats
    }
}
