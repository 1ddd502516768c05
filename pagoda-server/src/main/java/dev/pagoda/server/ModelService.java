package dev.pagoda.server;

import dev.pagoda.Log;
import dev.pagoda.config.GenerationConfig;
import dev.pagoda.config.EngineArgs;
import dev.pagoda.engine.AsyncLLMEngine;
import dev.pagoda.engine.LLM;
import dev.pagoda.sampling.guided.GuidedSpec;
import dev.pagoda.engine.Prompt;
import dev.pagoda.engine.RequestStream;
import dev.pagoda.sampling.SamplingParams;
import dev.pagoda.tokenizer.Tokenizer;
import dev.pagoda.tokenizer.template.ChatPromptRenderer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The served model: the loaded {@link LLM}, its engine thread, the chat template, the metrics,
 * and admission control (at most --max-num-queued-reqs requests waiting for the engine).
 */
public final class ModelService implements AutoCloseable {
    private final LLM llm;
    private final AsyncLLMEngine engine;
    private final String name;
    private final String root;
    private final ChatPromptRenderer chatRenderer;
    private final ServerMetrics metrics;
    private final int maxNumSeqs;
    private final int maxQueued;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final long created = System.currentTimeMillis() / 1000;

    /** Loads the model, warms it up (DESIGN rule 6), then starts the engine thread. */
    public ModelService(EngineArgs args, ServerConfig config) {
        this.llm = new LLM(args);
        try {
            this.root = args.model != null ? args.model.toString() : LLM.bundledModel().toString();
            this.name = config.servedModelName() != null ? config.servedModelName()
                    : args.servedModelName != null ? args.servedModelName : root;
            this.chatRenderer = renderer(llm.tokenizer(), config);
            this.maxNumSeqs = args.maxNumSeqs;
            this.maxQueued = config.maxNumQueuedReqs();
            logGenerationDefaults(args);
            warmUp(args);
            ServerMetrics[] m = new ServerMetrics[1];
            this.engine = new AsyncLLMEngine(llm.engine(), outputs -> m[0].observeStep(outputs));
            this.metrics = m[0] = new ServerMetrics(name, engine::stats);
        } catch (RuntimeException e) {
            llm.close();
            throw e;
        }
    }

    private static ChatPromptRenderer renderer(Tokenizer tokenizer, ServerConfig config) {
        String source;
        if (config.chatTemplate() != null) {
            try {
                source = Files.readString(config.chatTemplate());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read --chat-template " + config.chatTemplate(), e);
            }
            Log.info("chat template: " + config.chatTemplate());
        } else {
            source = tokenizer.chatTemplate().orElse(null);
            Log.info(source != null ? "chat template: the model's" : "the model has no chat template: /v1/chat/completions will answer 400");
        }
        return source == null ? null : new ChatPromptRenderer(source, tokenizer.specialTokenStrings());
    }

    private static void logGenerationDefaults(EngineArgs args) {
        if (args.model == null || !Files.isDirectory(args.model) || args.generationConfig.equals("vllm")) return;
        GenerationConfig g = GenerationConfig.read(args.model);
        List<String> set = new ArrayList<>();
        if (g.temperature() != null) set.add("temperature=" + g.temperature());
        if (g.topK() != null) set.add("top_k=" + g.topK());
        if (g.topP() != null) set.add("top_p=" + g.topP());
        if (g.minP() != null) set.add("min_p=" + g.minP());
        if (g.repetitionPenalty() != null) set.add("repetition_penalty=" + g.repetitionPenalty() + " (not applied: penalties are not built yet)");
        if (!set.isEmpty()) {
            Log.info("default sampling parameters taken from the model's generation_config.json (--generation-config auto): "
                    + String.join(", ", set));
        }
    }

    /** Forward passes at decode and prefill shapes so the JIT has compiled the kernels before /health is 200. */
    private void warmUp(EngineArgs args) {
        long start = System.nanoTime();
        int vocab = llm.tokenizer().vocabSize();
        int longLen = Math.max(1, Math.min(Math.min(256, args.maxNumBatchedTokens), llm.maxModelLen() - 9));
        List<Prompt> prompts = new ArrayList<>();
        for (int p = 0; p < 4; p++) prompts.add(Prompt.tokens(tokens(Math.min(16, longLen), p, vocab)));
        prompts.add(Prompt.tokens(tokens(longLen, 7, vocab)));
        llm.generatePrompts(prompts, SamplingParams.builder().temperature(0.0).maxTokens(8).ignoreEos(true).build());
        Log.info(String.format("warm-up: %d requests (prefill up to %d tokens, 8 decode steps) in %.2f s",
                prompts.size(), longLen, (System.nanoTime() - start) / 1e9));
    }

    private static int[] tokens(int n, int seed, int vocab) {
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) ids[i] = Math.floorMod(seed * 7919 + i * 104729, Math.max(1, vocab - 1)) + 1;
        return ids;
    }

    /**
     * Submits a request (validation errors are 400s); 503 when --max-num-queued-reqs requests are
     * already waiting. The caller must {@link #release} once the request has ended in the engine.
     */
    public RequestStream submit(String id, String prompt, int[] tokens, SamplingParams params) {
        if (!engine.healthy()) throw new ApiException(503, "ServiceUnavailableError", "The engine is not running.", null);
        int waiting = inFlight.incrementAndGet() - 1 - engine.stats().running();
        if (waiting >= maxQueued) {
            inFlight.decrementAndGet();
            throw new ApiException(503, "ServiceUnavailableError", "The server is busy: " + waiting
                    + " requests are already waiting (--max-num-queued-reqs " + maxQueued + "). Retry later.", null);
        }
        try {
            return engine.submit(id, prompt, tokens, params);
        } catch (IllegalArgumentException e) {
            inFlight.decrementAndGet();
            throw Sampling.validation(e);
        } catch (IllegalStateException e) {
            inFlight.decrementAndGet();
            throw new ApiException(503, "ServiceUnavailableError", e.getMessage(), null);
        }
    }

    public void release() {
        inFlight.decrementAndGet();
    }

    /** 404 unless {@code requested} is null or the served name. */
    public void checkModel(String requested) {
        if (requested != null && !requested.equals(name)) throw ApiException.notFound("The model `" + requested + "` does not exist.");
    }

    public ChatPromptRenderer chatRenderer() {
        if (chatRenderer == null) {
            throw ApiException.badRequest("As of transformers v4.44, default chat template is no longer allowed, so you must "
                    + "provide a chat template if the tokenizer does not define one.", null);
        }
        return chatRenderer;
    }

    public boolean healthy() {
        return engine.healthy();
    }

    public Tokenizer tokenizer() {
        return llm.tokenizer();
    }

    public int maxModelLen() {
        return llm.maxModelLen();
    }

    /** Compiles (and caches) a structured-output constraint; a bad one throws GrammarException. */
    public void compileConstraint(GuidedSpec spec) {
        llm.engine().compileConstraint(spec);
    }

    public int maxNumSeqs() {
        return maxNumSeqs;
    }

    public String name() {
        return name;
    }

    public String root() {
        return root;
    }

    public long created() {
        return created;
    }

    public ServerMetrics metrics() {
        return metrics;
    }

    public AsyncLLMEngine engine() {
        return engine;
    }

    /** Aborts whatever is still running and frees the model. */
    @Override
    public void close() {
        engine.close();
        llm.close();
    }
}
