package dev.pagoda.engine;

import dev.pagoda.cache.BlockTable;
import dev.pagoda.sampling.SamplingParams;
import dev.pagoda.sampling.TokenHistory;
import dev.pagoda.sampling.guided.GuidedState;
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
 *
 * <p>Stop strings are matched here, on the text as it is detokenized token by token (as vLLM's
 * output processor does): checked once the output has more than min_tokens tokens, the text cut
 * before the match (after it with include_stop_str_in_output), the token that completed the
 * match kept in the token ids.
 */
final class Sequence implements TokenHistory {
    final Request request;
    int index;
    final int promptLength;
    final SplittableRandom rng;
    private int[] tokens;
    private int length;
    private int computed;
    private final BlockTable blocks = new BlockTable();
    final List<Map<Integer, Logprob>> logprobs;
    double cumulativeLogprob;
    FinishReason finishReason;
    /** The stop token id (Integer) or stop string (String) that ended the sequence, if one did. */
    Object stopReason;
    /** Streams the output's text as tokens arrive (null without a tokenizer). */
    private final IncrementalDetokenizer detokenizer;
    private final StringBuilder text;
    private final int maxStopLength;
    /** Where this sequence is in its structured-output grammar; null without a constraint. */
    GuidedState guided;
    /** Beam search: this beam's logits row, kept until every beam of the group has one. */
    float[] pendingLogits;

    Sequence(Request request, int index, int[] prompt, SamplingParams params, SplittableRandom rng, Tokenizer tokenizer) {
        this.request = request;
        // The prompt is context, so a leading space of the first word is kept.
        this.detokenizer = tokenizer == null ? null : new IncrementalDetokenizer(tokenizer, params.skipSpecialTokens(), prompt);
        this.index = index;
        this.promptLength = prompt.length;
        this.tokens = Arrays.copyOf(prompt, prompt.length + Math.min(params.maxTokens(), 1024));
        this.length = prompt.length;
        this.rng = rng;
        this.logprobs = params.logprobs() != null ? new ArrayList<>() : null;
        this.text = new StringBuilder();
        this.maxStopLength = params.stop().stream().mapToInt(String::length).max().orElse(0);
    }

    /** A copy with the same tokens, text and log-probabilities but no blocks (a beam's candidate continuation). */
    private Sequence(Sequence o) {
        this.request = o.request;
        this.index = o.index;
        this.promptLength = o.promptLength;
        this.rng = o.rng;
        this.tokens = Arrays.copyOf(o.tokens, Math.max(o.tokens.length, o.length + 1));
        this.length = o.length;
        this.logprobs = o.logprobs == null ? null : new ArrayList<>(o.logprobs);
        this.cumulativeLogprob = o.cumulativeLogprob;
        this.detokenizer = o.detokenizer == null ? null : o.detokenizer.copy();
        this.text = new StringBuilder(o.text);
        this.maxStopLength = o.maxStopLength;
        this.computed = o.computed;
        this.guided = o.guided == null ? null : o.guided.copy();
    }

    Sequence copyWithoutBlocks() {
        return new Sequence(this);
    }

    @Override
    public int promptLength() {
        return promptLength;
    }

    @Override
    public int length() {
        return length;
    }

    @Override
    public int token(int i) {
        return tokens[i];
    }

    int lastToken() {
        return tokens[length - 1];
    }

    /** The token array, valid up to {@link #length()}; not to be modified. */
    int[] tokenArray() {
        return tokens;
    }

    int[] outputTokens() {
        return Arrays.copyOfRange(tokens, promptLength, length);
    }

    /** Appends a token; returns the stop string its text completed, if any (the text is then already cut). */
    String append(int token) {
        if (length == tokens.length) tokens = Arrays.copyOf(tokens, tokens.length * 2);
        tokens[length++] = token;
        if (detokenizer == null) return null;
        int searchFrom = Math.max(0, text.length() - maxStopLength + 1);
        text.append(detokenizer.add(token));
        return matchStop(searchFrom);
    }

    /**
     * Marks the sequence finished and releases any text the detokenizer held back; a stop string
     * completed by that text still ends it as "stop".
     */
    void finish(FinishReason reason) {
        finishReason = reason;
        if (detokenizer == null || stopReason instanceof String) return; // the text was cut at the stop string
        int searchFrom = Math.max(0, text.length() - maxStopLength + 1);
        text.append(detokenizer.finish());
        if (reason != FinishReason.ABORT && reason != FinishReason.ERROR) {
            String hit = matchStop(searchFrom);
            if (hit != null) {
                finishReason = FinishReason.STOP;
                stopReason = hit;
            }
        }
    }

    /** The earliest stop string in the text from {@code searchFrom} on: cuts the text there and returns it. */
    private String matchStop(int searchFrom) {
        SamplingParams p = request.params;
        if (maxStopLength == 0 || outputLength() <= p.minTokens()) return null;
        int best = -1;
        String hit = null;
        for (String s : p.stop()) {
            int at = text.indexOf(s, searchFrom);
            if (at >= 0 && (best < 0 || at < best)) {
                best = at;
                hit = s;
            }
        }
        if (hit != null) text.setLength(p.includeStopStrInOutput() ? best + hit.length() : best);
        return hit;
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
