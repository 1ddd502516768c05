package dev.pagoda.engine;

import dev.pagoda.cache.BlockTable;
import dev.pagoda.sampling.SamplingParams;
import dev.pagoda.tokenizer.IncrementalDetokenizer;
import dev.pagoda.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * One output sequence of a request: its tokens (prompt then output), how many of them have K/V
 * in the cache, and its block table. Preemption by recompute is just "free the blocks and set
 * computed to 0": the tokens stay, and the next prefill recomputes prompt and output alike.
 */
final class Sequence {
    final Request request;
    final int index;
    final int promptLength;
    final SplittableRandom rng;
    private int[] tokens;
    private int length;
    private int computed;
    private final BlockTable blocks = new BlockTable();
    final List<Map<Integer, Logprob>> logprobs;
    double cumulativeLogprob;
    FinishReason finishReason;
    Integer stopReason;
    /** Streams the output's text as tokens arrive (null without a tokenizer). */
    private final IncrementalDetokenizer detokenizer;
    private final StringBuilder text = new StringBuilder();

    Sequence(Request request, int index, int[] prompt, SamplingParams params, SplittableRandom rng, Tokenizer tokenizer) {
        this.request = request;
        // Skip special tokens like vLLM's default; the prompt is context, so a leading space of the first word is kept.
        this.detokenizer = tokenizer == null ? null : new IncrementalDetokenizer(tokenizer, true, prompt);
        this.index = index;
        this.promptLength = prompt.length;
        this.tokens = Arrays.copyOf(prompt, prompt.length + Math.min(params.maxTokens(), 1024));
        this.length = prompt.length;
        this.rng = rng;
        this.logprobs = params.logprobs() != null ? new ArrayList<>() : null;
    }

    int length() {
        return length;
    }

    int token(int i) {
        return tokens[i];
    }

    /** The token array, valid up to {@link #length()}; not to be modified. */
    int[] tokenArray() {
        return tokens;
    }

    int outputLength() {
        return length - promptLength;
    }

    int[] outputTokens() {
        return Arrays.copyOfRange(tokens, promptLength, length);
    }

    void append(int token) {
        if (length == tokens.length) tokens = Arrays.copyOf(tokens, tokens.length * 2);
        tokens[length++] = token;
        if (detokenizer != null) text.append(detokenizer.add(token));
    }

    /** Marks the sequence finished and releases any text the detokenizer held back. */
    void finish(FinishReason reason) {
        finishReason = reason;
        if (detokenizer != null) text.append(detokenizer.finish());
    }

    /** The output text so far (null without a tokenizer). */
    String text() {
        return detokenizer == null ? null : text.toString();
    }

    /** Tokens whose K/V is in the cache. */
    int computed() {
        return computed;
    }

    void advance(int count) {
        computed += count;
    }

    boolean finished() {
        return finishReason != null;
    }

    BlockTable blocks() {
        return blocks;
    }

    /**
     * Sets how many leading tokens already have K/V in the sequence's blocks: 0 after preemption
     * freed them, a cached prefix's length on admission, the parent's count after a fork.
     */
    void setComputed(int tokens) {
        computed = tokens;
    }
}
