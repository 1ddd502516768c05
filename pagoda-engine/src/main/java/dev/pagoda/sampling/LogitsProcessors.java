package dev.pagoda.sampling;

import dev.pagoda.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The logits processors one request needs, in vLLM V1's order: allowed token ids, bad words,
 * min_tokens, logit_bias, then the penalties. Neutral parameters add no processor, so a request
 * without any has an {@link #isEmpty empty} pipeline and the engine samples the raw logits
 * directly, without copying the row.
 */
public final class LogitsProcessors {
    public static final LogitsProcessors NONE = new LogitsProcessors(List.of());

    private final List<LogitsProcessor> processors;

    private LogitsProcessors(List<LogitsProcessor> processors) {
        this.processors = processors;
    }

    /**
     * The pipeline for {@code p} (defaults resolved).
     *
     * @param eosTokenIds the model's EOS ids: banned with the stop token ids until min_tokens
     * @param tokenizer   turns bad words into token ids (null: an engine without a tokenizer,
     *                    which refuses bad_words)
     */
    public static LogitsProcessors of(SamplingParams p, Collection<Integer> eosTokenIds, Tokenizer tokenizer, int vocab) {
        checkIds("allowed_token_ids", p.allowedTokenIds() == null ? List.of() : p.allowedTokenIds(), vocab);
        checkIds("logit_bias", p.logitBias().keySet(), vocab);
        checkIds("stop_token_ids", p.stopTokenIds(), vocab);
        List<LogitsProcessor> list = new ArrayList<>();
        if (p.allowedTokenIds() != null) list.add(new AllowedTokens(p.allowedTokenIds(), vocab));
        if (!p.badWords().isEmpty()) {
            if (tokenizer == null) throw new InvalidParameterException("bad_words", "bad_words needs a tokenizer");
            List<int[]> words = BadWords.tokenize(p.badWords(), tokenizer);
            for (int[] w : words) checkIds("bad_words", java.util.Arrays.stream(w).boxed().toList(), vocab);
            list.add(new BadWords(words));
        }
        if (p.minTokens() > 0) {
            Set<Integer> stops = new TreeSet<>(eosTokenIds);
            stops.addAll(p.stopTokenIds());
            list.add(new MinTokens(p.minTokens(), stops.stream().filter(id -> id < vocab).mapToInt(Integer::intValue).toArray()));
        }
        if (!p.logitBias().isEmpty()) list.add(new LogitBias(p.logitBias()));
        if (p.presencePenalty() != 0 || p.frequencyPenalty() != 0 || p.repetitionPenalty() != 1.0) {
            list.add(new Penalties(p.presencePenalty(), p.frequencyPenalty(), p.repetitionPenalty()));
        }
        return list.isEmpty() ? NONE : new LogitsProcessors(List.copyOf(list));
    }

    public boolean isEmpty() {
        return processors.isEmpty();
    }

    /** Applies every processor, in order, to {@code logits[off, off + vocab)} for the sequence {@code seq}. */
    public void apply(float[] logits, int off, TokenHistory seq) {
        for (LogitsProcessor p : processors) p.apply(logits, off, seq);
    }

    private static void checkIds(String field, Collection<Integer> ids, int vocab) {
        List<Integer> bad = ids.stream().filter(id -> id < 0 || id >= vocab).toList();
        if (!bad.isEmpty()) {
            throw new InvalidParameterException(field, "token_id(s) " + bad + " in " + field + " contain out-of-vocab token ids. Vocabulary size: " + vocab);
        }
    }
}
