package dev.pagoda.engine;

import dev.pagoda.sampling.LogitsProcessors;
import dev.pagoda.sampling.guided.CompiledGrammar;
import dev.pagoda.sampling.SamplingParams;
import dev.pagoda.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** A request as the engine tracks it: a group of sequences sharing one prompt, scheduled as a unit. */
final class Request {
    final String id;
    final String prompt;
    final int[] promptTokenIds;
    final SamplingParams params;
    final LogitsProcessors processors;
    /**
     * The group's running or finished sequences: best_of of them when sampling (n when best_of
     * is unset); under beam search, the live beams only ({@link #beams} keeps the finished ones).
     */
    final List<Sequence> sequences = new ArrayList<>();
    /** Beam search state (null when sampling). */
    final BeamSearch beams;
    final double arrivalTime;
    double firstScheduledTime = Double.NaN;
    double firstTokenTime = Double.NaN;
    double lastTokenTime = Double.NaN;
    double finishedTime = Double.NaN;
    String error;
    /**
     * Whether admission may reuse prefix-cached blocks. A request that needs every prompt
     * position computed (prompt log-probabilities, vLLM's {@code skip_reading_prefix_cache})
     * sets this false; its own full blocks are still cached for others.
     */
    final boolean readsPrefixCache;
    /**
     * Prompt log-probabilities (null when not requested): null for position 0, then one entry per
     * prompt token, appended as the chunks holding the positions before it run. Complete once the
     * prompt's last position is computed, and never changed after.
     */
    private final List<Map<Integer, Logprob>> promptLogprobs;
    /** The complete prompt log-probabilities as handed out, made once. */
    private List<Map<Integer, Logprob>> promptLogprobsDone;
    /**
     * Until the prompt's logits are sampled only the first sequence runs; the others are then
     * forked from it and share its prompt blocks (vLLM's parallel sampling for n).
     */
    private boolean forked;

    /** @param grammar the compiled structured-output constraint, or null */
    Request(String id, String prompt, int[] promptTokenIds, SamplingParams params, LogitsProcessors processors,
            double arrivalTime, Tokenizer tokenizer, boolean readsPrefixCache, CompiledGrammar grammar) {
        this.id = id;
        this.prompt = prompt;
        this.promptTokenIds = promptTokenIds;
        this.params = params;
        this.processors = processors;
        this.arrivalTime = arrivalTime;
        this.readsPrefixCache = readsPrefixCache;
        if (params.promptLogprobs() != null) {
            this.promptLogprobs = new ArrayList<>(promptTokenIds.length);
            promptLogprobs.add(null); // the first token has no context, hence no log-probability (as vLLM)
        } else {
            this.promptLogprobs = null;
        }
        SplittableRandom root = params.seed() != null ? new SplittableRandom(params.seed()) : new SplittableRandom();
        if (params.useBeamSearch()) {
            // Beams are created from the prompt's logits; until then the group is its one prompt sequence.
            this.beams = new BeamSearch(this);
            this.forked = true;
            sequences.add(new Sequence(this, 0, promptTokenIds, params, root.split(), tokenizer));
        } else {
            this.beams = null;
            this.forked = params.width() == 1;
            for (int i = 0; i < params.width(); i++) sequences.add(new Sequence(this, i, promptTokenIds, params, root.split(), tokenizer));
        }
        if (grammar != null) for (Sequence s : sequences) s.guided = grammar.newState();
    }

    /** Whether some prompt positions still need their logits for prompt log-probabilities. */
    boolean needsPromptLogits() {
        return promptLogprobs != null && promptLogprobs.size() < promptTokenIds.length;
    }

    /**
     * The next prompt position whose logits give a prompt log-probability (the entry of the token
     * after it); positions from here to the prompt's second last need logit rows.
     */
    int nextPromptLogitPosition() {
        return promptLogprobs.size() - 1;
    }

    /** Adds the entry of prompt token {@code position + 1}, from the logits at {@code position}. */
    void addPromptLogprob(int position, Map<Integer, Logprob> entry) {
        if (position != nextPromptLogitPosition()) {
            throw new IllegalStateException("prompt logits of position " + position + " arrived, expected " + nextPromptLogitPosition());
        }
        promptLogprobs.add(entry);
    }

    /** The prompt log-probabilities for an output (null when not requested; a copy of the part done if incomplete). */
    List<Map<Integer, Logprob>> promptLogprobs() {
        if (promptLogprobs == null) return null;
        if (needsPromptLogits()) return Collections.unmodifiableList(new ArrayList<>(promptLogprobs));
        if (promptLogprobsDone == null) promptLogprobsDone = Collections.unmodifiableList(promptLogprobs);
        return promptLogprobsDone;
    }

    boolean finished() {
        for (Sequence s : sequences) if (!s.finished()) return false;
        return true;
    }

    boolean forked() {
        return forked;
    }

    void markForked() {
        forked = true;
    }

    /**
     * The sequences that get tokens scheduled: the first one until the fork, then every unfinished
     * one; under beam search, the beams still waiting for their logits.
     */
    List<Sequence> scheduledSequences() {
        if (!forked) return List.of(sequences.getFirst());
        List<Sequence> out = new ArrayList<>(sequences.size());
        for (Sequence s : sequences) if (!s.finished() && s.pendingLogits == null) out.add(s);
        return out;
    }

    /**
     * Sequences counted against --max-num-seqs: all unfinished ones, including children not forked
     * yet; a beam search always counts its full width, which it may reach at any step.
     */
    int unfinishedCount() {
        if (beams != null) return finished() ? 0 : params.width();
        int n = 0;
        for (Sequence s : sequences) if (!s.finished()) n++;
        return n;
    }

    RequestMetrics metrics() {
        return new RequestMetrics(arrivalTime, firstScheduledTime, firstTokenTime, lastTokenTime, finishedTime);
    }
}
