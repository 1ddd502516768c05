package dev.pagoda.engine;

import dev.pagoda.sampling.SamplingParams;
import dev.pagoda.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** A request as the engine tracks it: a group of sequences sharing one prompt, scheduled as a unit. */
final class Request {
    final String id;
    final String prompt;
    final int[] promptTokenIds;
    final SamplingParams params;
    final List<Sequence> sequences = new ArrayList<>();
    final double arrivalTime;
    double firstScheduledTime = Double.NaN;
    double firstTokenTime = Double.NaN;
    double lastTokenTime = Double.NaN;
    double finishedTime = Double.NaN;
    String error;

    Request(String id, String prompt, int[] promptTokenIds, SamplingParams params, double arrivalTime, Tokenizer tokenizer) {
        this.id = id;
        this.prompt = prompt;
        this.promptTokenIds = promptTokenIds;
        this.params = params;
        this.arrivalTime = arrivalTime;
        SplittableRandom root = params.seed() != null ? new SplittableRandom(params.seed()) : new SplittableRandom();
        for (int i = 0; i < params.n(); i++) sequences.add(new Sequence(this, i, promptTokenIds, params, root.split(), tokenizer));
    }

    boolean finished() {
        for (Sequence s : sequences) if (!s.finished()) return false;
        return true;
    }

    int unfinishedCount() {
        int n = 0;
        for (Sequence s : sequences) if (!s.finished()) n++;
        return n;
    }

    RequestMetrics metrics() {
        return new RequestMetrics(arrivalTime, firstScheduledTime, firstTokenTime, lastTokenTime, finishedTime);
    }
}
