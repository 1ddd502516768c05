package dev.pagoda.engine;

import dev.pagoda.Log;
import dev.pagoda.PagodaException;
import dev.pagoda.cache.KvCache;
import dev.pagoda.cache.KvCachePlan;
import dev.pagoda.config.EngineArgs;
import dev.pagoda.config.GenerationConfig;
import dev.pagoda.config.ModelConfig;
import dev.pagoda.kernel.WorkerPool;
import dev.pagoda.model.Decoder;
import dev.pagoda.model.ModelWeights;
import dev.pagoda.model.loader.Checkpoint;
import dev.pagoda.model.loader.DType;
import dev.pagoda.sampling.SamplingParams;
import dev.pagoda.tokenizer.Tokenizer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;

/**
 * Offline inference, as vLLM's {@code LLM}: load a model once, then
 * {@code generate(prompts, samplingParams)}. All prompts are submitted together and the scheduler
 * batches them. Not thread-safe.
 */
public final class LLM implements AutoCloseable {
    private final ModelConfig config;
    /** Bytes of the checkpoint's tensors (the mapping is closed once they are copied). */
    private final long checkpointBytes;
    private final ModelWeights weights;
    private final WorkerPool pool;
    private final KvCache cache;
    private final Tokenizer tokenizer;
    private final LLMEngine engine;
    private final int maxModelLen;
    private final double loadSeconds;
    private long nextRequestId;
    private boolean showProgress = System.console() != null;

    public LLM(EngineArgs args) {
        VectorApiCheck.require();
        long start = System.nanoTime();
        if (args.numSchedulerSteps > 1) {
            Log.info("--num-scheduler-steps " + args.numSchedulerSteps + " is accepted and has no effect: Pagoda schedules "
                    + "every step, since scheduling and sampling take a few percent of a step here (README: Performance)");
        }
        Path modelPath = args.model != null ? args.model : bundledModel();
        Checkpoint checkpoint = Checkpoint.open(modelPath);
        this.config = checkpoint.config();
        this.checkpointBytes = checkpoint.weightBytes();
        try {
            this.tokenizer = loadTokenizer(args, checkpoint);
            this.maxModelLen = maxModelLen(args, config);
            if (!args.enableChunkedPrefill && args.maxNumBatchedTokens < maxModelLen) {
                throw new PagodaException("--max-num-batched-tokens (" + args.maxNumBatchedTokens + ") is smaller than --max-model-len ("
                        + maxModelLen + ") with chunked prefill disabled: a long prompt could never be scheduled; raise "
                        + "--max-num-batched-tokens or enable chunked prefill");
            }
            DType dtype = args.dtype.equals("auto") ? null : DType.parse(args.dtype);
            this.weights = ModelWeights.bind(checkpoint, dtype, args.quantization == null ? null : DType.parse(args.quantization));
            this.pool = new WorkerPool(args.numThreads);
            // One logit row per sequence (sampled), plus the rows prompt log-probabilities may use in a step.
            int logitRows = args.maxNumSeqs + Math.min(args.maxPromptLogprobsRows, args.maxNumBatchedTokens);
            Decoder decoder = new Decoder(config, weights, pool, args.maxNumBatchedTokens, logitRows, args.blockSize);
            DType kvDtype = args.kvCacheDtype.equals("auto") ? KvCache.autoDType(dtype != null ? dtype : config.weightDType())
                    : DType.parse(args.kvCacheDtype);
            KvCachePlan plan = KvCachePlan.plan(KvCache.bytesPerToken(config, kvDtype), args.blockSize, maxModelLen, args.maxNumSeqs,
                    args.kvCacheMemory, args.gpuMemoryUtilization, args.numGpuBlocksOverride,
                    checkpointBytes + weights.convertedBytes(), 0);
            this.cache = new KvCache(config, plan.numBlocks(), args.blockSize, kvDtype);
            GenerationConfig gen = args.generationConfig.equals("vllm") ? GenerationConfig.EMPTY.withEos(checkpoint.generationConfig())
                    : checkpoint.generationConfig();
            this.engine = new LLMEngine(new DecoderRunner(decoder, cache), tokenizer, gen, maxModelLen, args.maxNumSeqs,
                    args.maxNumBatchedTokens, args.enableChunkedPrefill, args.enablePrefixCaching);
        } finally {
            // The weights are copied out of the mapping by now (ModelWeights): unmapping the file gives
            // its pages back, which the process's RSS had counted next to the copies.
            checkpoint.close();
        }
        this.loadSeconds = (System.nanoTime() - start) / 1e9;
        Log.info(String.format("loaded %s (%s, %d layers, %.1fM parameters, %s weights) in %.2f s; max-model-len %d",
                modelPath, config.architecture().hfName, config.numLayers(), config.parameterCount() / 1e6,
                weights.matrixFormats(), loadSeconds, maxModelLen));
    }

    /** The model that ships with Pagoda: {@code models/stories260K} under the install directory. */
    public static Path bundledModel() {
        String home = System.getProperty("pagoda.home", ".");
        Path p = Path.of(home, "models", "stories260K", "stories260K.gguf");
        if (!Files.isRegularFile(p)) {
            throw new PagodaException("no --model given and the bundled model is not at " + p.toAbsolutePath()
                    + " (set -Dpagoda.home to the Pagoda directory)");
        }
        return p;
    }

    private static Tokenizer loadTokenizer(EngineArgs args, Checkpoint checkpoint) {
        if (args.tokenizer != null) return Tokenizer.load(args.tokenizer);
        if (checkpoint.gguf() != null) return Tokenizer.fromGguf(checkpoint.gguf().metadata());
        if (!Files.isRegularFile(checkpoint.source().resolve("tokenizer.json"))) {
            throw new PagodaException(checkpoint.source() + ": missing tokenizer.json (give the tokenizer with --tokenizer DIR)");
        }
        return Tokenizer.fromHfDirectory(checkpoint.source());
    }

    private static int maxModelLen(EngineArgs args, ModelConfig config) {
        if (args.maxModelLen == null) return config.maxPositionEmbeddings();
        // vLLM's escape hatch for models whose RoPE extrapolates: VLLM_ALLOW_LONG_MAX_MODEL_LEN=1.
        boolean allowLonger = "1".equals(System.getenv("VLLM_ALLOW_LONG_MAX_MODEL_LEN"));
        if (args.maxModelLen > config.maxPositionEmbeddings() && !allowLonger) {
            throw new PagodaException("--max-model-len " + args.maxModelLen + " is greater than the model's maximum of "
                    + config.maxPositionEmbeddings() + " positions (max_position_embeddings); set VLLM_ALLOW_LONG_MAX_MODEL_LEN=1 to allow it");
        }
        return args.maxModelLen;
    }

    /** Generates for text prompts; outputs are in prompt order. */
    public List<RequestOutput> generate(List<String> prompts, SamplingParams params) {
        return generatePrompts(prompts.stream().map(Prompt::text).toList(), params);
    }

    public RequestOutput generate(String prompt, SamplingParams params) {
        return generate(List.of(prompt), params).getFirst();
    }

    /** Generates for prompts given as text or token ids; outputs are in prompt order. */
    public List<RequestOutput> generatePrompts(List<Prompt> prompts, SamplingParams params) {
        return generatePrompts(prompts, Collections.nCopies(prompts.size(), params));
    }

    /**
     * Generates for prompts with a sampling configuration each; outputs are in prompt order. Every
     * prompt is checked before any is queued, so a bad one leaves nothing behind. With more than
     * one prompt and a console, a progress bar runs on stderr.
     */
    public List<RequestOutput> generatePrompts(List<Prompt> prompts, List<SamplingParams> params) {
        if (prompts.size() != params.size()) throw new IllegalArgumentException(prompts.size() + " prompts but " + params.size() + " sampling params");
        List<int[]> ids = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            ids.add(tokens(prompts.get(i)));
            engine.validate(ids.get(i), params.get(i));
        }
        for (int i = 0; i < prompts.size(); i++) {
            String text = prompts.get(i) instanceof Prompt.Text t ? t.text() : null;
            engine.addRequest(Long.toString(nextRequestId++), text, ids.get(i), params.get(i));
        }
        ProgressBar progress = prompts.size() > 1 && showProgress ? new ProgressBar("Processed prompts", prompts.size(), System.err) : null;
        List<RequestOutput> outputs = new ArrayList<>();
        while (engine.hasUnfinishedRequests()) {
            for (RequestOutput o : engine.step()) {
                if (!o.finished()) continue;
                outputs.add(o);
                if (progress != null) progress.update(outputs.size());
            }
        }
        if (progress != null) progress.finish();
        outputs.sort(Comparator.comparingLong(o -> Long.parseLong(o.requestId())));
        return outputs;
    }

    /** Whether multi-prompt generation shows a progress bar (default: when there is a console). */
    public LLM showProgress(boolean show) {
        this.showProgress = show;
        return this;
    }

    /**
     * Generates for one prompt, calling {@code onProgress} after every step that produced tokens
     * (cumulative outputs, the last one finished); returns the finished output.
     */
    public RequestOutput generate(Prompt prompt, SamplingParams params, Consumer<RequestOutput> onProgress) {
        submit(prompt, params);
        RequestOutput last = null;
        while (last == null || !last.finished()) {
            for (RequestOutput o : engine.step()) {
                onProgress.accept(o);
                last = o;
            }
        }
        return last;
    }

    /** Queues one prompt under the next request id. */
    private void submit(Prompt prompt, SamplingParams params) {
        engine.addRequest(Long.toString(nextRequestId++), prompt instanceof Prompt.Text t ? t.text() : null, tokens(prompt), params);
    }

    /** A prompt's token ids; text is tokenized with special tokens, as vLLM's completions do. */
    private int[] tokens(Prompt prompt) {
        return switch (prompt) {
            case Prompt.Text t -> tokenizer.encode(t.text(), true);
            case Prompt.Tokens t -> t.ids();
        };
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    /** The bound weights (formats, sizes): what benchmarks divide by. */
    public ModelWeights weights() {
        return weights;
    }

    public ModelConfig modelConfig() {
        return config;
    }

    public LLMEngine engine() {
        return engine;
    }

    public int maxModelLen() {
        return maxModelLen;
    }

    public double loadSeconds() {
        return loadSeconds;
    }

    /** Bytes of weights: the checkpoint's plus any --dtype conversion copies (as the KV plan counts them). */
    public long weightBytes() {
        return checkpointBytes + weights.convertedBytes();
    }

    /** Bytes of the KV pool allocated at start. */
    public long kvCacheBytes() {
        return (long) cache.numBlocks() * cache.blockSize() * KvCache.bytesPerToken(config, cache.dtype());
    }

    @Override
    public void close() {
        pool.close();
        cache.close();
        weights.close();
    }
}
