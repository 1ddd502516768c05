package dev.pagoda.engine;

import dev.pagoda.sampling.LogProbs;
import dev.pagoda.sampling.SamplingParams;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One request's beam search, as vLLM's sequence-group beam search (the one its deployment guides
 * use, with {@code length_penalty} and {@code early_stopping}). Each step, once every live beam
 * has its logits: every beam is extended by every token, scored by cumulative log-probability; the
 * best 2 × width continuations are kept (the best of any beam are among its own best 2 × width, so
 * only those are looked at); those that ended (EOS, a stop token or string, max_tokens) join the
 * finished beams, of which the best width by length-penalised score stay; the best width running
 * ones become the next beams, unless the search stops. A continuation is a copy of its parent's
 * tokens; its K/V blocks are the parent's, shared through {@link Scheduler#fork} and copied on
 * write, and parents are freed once their children hold their blocks.
 */
final class BeamSearch {
    private record Candidate(Sequence parent, int token, float logprob, double cumulative) {
    }

    private final Request request;
    /** The best finished beams so far, best first, at most width of them. */
    private final List<Sequence> finished = new ArrayList<>();

    BeamSearch(Request request) {
        this.request = request;
    }

    /** Every live beam has its logits row: the step can run. */
    boolean ready() {
        for (Sequence s : request.sequences) if (s.pendingLogits == null) return false;
        return !request.sequences.isEmpty();
    }

    /**
     * vLLM's beam score: cumulative log-probability / length^length_penalty, the length counting
     * the prompt, and not counting a final EOS (as Hugging Face does).
     */
    static double score(double cumulative, int length, boolean endsWithEos, double lengthPenalty) {
        return cumulative / Math.pow(endsWithEos ? length - 1 : length, lengthPenalty);
    }

    private double score(Sequence s, Set<Integer> eos) {
        return score(s.cumulativeLogprob, s.length(), eos.contains(s.lastToken()), request.params.lengthPenalty());
    }

    void step(LLMEngine engine, Scheduler scheduler, Set<Integer> eos, int vocab, int maxModelLen) {
        SamplingParams p = request.params;
        int width = p.width();
        List<Sequence> live = List.copyOf(request.sequences);
        List<Candidate> candidates = new ArrayList<>();
        int[] ids = new int[2 * width];
        float[] lps = new float[2 * width];
        for (Sequence beam : live) {
            float[] row = beam.pendingLogits;
            if (!request.processors.isEmpty()) {
                row = row.clone();
                request.processors.apply(row, 0, beam);
            }
            int k = LogProbs.topK(row, 0, vocab, 2 * width, LogProbs.logSumExp(row, 0, vocab), ids, lps);
            for (int j = 0; j < k; j++) candidates.add(new Candidate(beam, ids[j], lps[j], beam.cumulativeLogprob + lps[j]));
        }
        // Stable: equal scores keep beam order, then token order.
        candidates.sort(Comparator.comparingDouble(Candidate::cumulative).reversed());
        List<Sequence> running = new ArrayList<>();
        List<Sequence> newlyFinished = new ArrayList<>();
        Map<Sequence, Sequence> parentOf = new IdentityHashMap<>();
        for (Candidate c : candidates.subList(0, Math.min(2 * width, candidates.size()))) {
            Sequence child = c.parent().copyWithoutBlocks();
            engine.accept(child, c.parent().pendingLogits, 0, c.token());
            child.cumulativeLogprob = c.cumulative();
            parentOf.put(child, c.parent());
            (child.finished() ? newlyFinished : running).add(child);
        }
        finished.addAll(newlyFinished);
        finished.sort(Comparator.comparingDouble((Sequence s) -> score(s, eos)).reversed());
        if (finished.size() > width) finished.subList(width, finished.size()).clear();
        running.sort(Comparator.comparingDouble((Sequence s) -> score(s, eos)).reversed());

        boolean stop = running.isEmpty()
                || finished.size() >= width && earlyStop(running.getFirst(), finished.get(width - 1), eos, maxModelLen);
        List<Sequence> next = stop ? List.of() : running.subList(0, Math.min(width, running.size()));
        for (Sequence child : next) scheduler.fork(parentOf.get(child), child);
        for (Sequence parent : live) {
            parent.pendingLogits = null;
            scheduler.release(parent);
        }
        request.sequences.clear();
        for (Sequence child : next) {
            child.index = request.sequences.size();
            request.sequences.add(child);
        }
    }

    /** vLLM's {@code _check_beam_search_early_stopping}, with at least width beams finished. */
    private boolean earlyStop(Sequence bestRunning, Sequence worstFinished, Set<Integer> eos, int maxModelLen) {
        SamplingParams p = request.params;
        double worst = score(worstFinished, eos);
        return switch (p.earlyStopping()) {
            case TRUE -> true;
            case FALSE -> worst >= score(bestRunning, eos);
            case NEVER -> {
                if (p.lengthPenalty() > 0) {
                    // Longer is better: the best a beam could reach is at the longest length
                    // (vLLM takes the max of prompt + max_tokens and max_model_len, not the min).
                    int longest = Math.max(bestRunning.promptLength() + p.maxTokens(), maxModelLen);
                    yield worst >= score(bestRunning.cumulativeLogprob, longest, false, p.lengthPenalty());
                }
                yield worst >= score(bestRunning, eos);
            }
        };
    }

    /** The n best beams by score: the finished ones, or, for a search aborted early, the live ones too. */
    List<Sequence> best(Set<Integer> eos) {
        List<Sequence> all = new ArrayList<>(finished);
        all.addAll(request.sequences);
        all.sort(Comparator.comparingDouble((Sequence s) -> score(s, eos)).reversed());
        return all.subList(0, Math.min(request.params.n(), all.size()));
    }
}
