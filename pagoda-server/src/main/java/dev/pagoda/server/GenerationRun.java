package dev.pagoda.server;

import dev.pagoda.engine.CompletionOutput;
import dev.pagoda.engine.Logprob;
import dev.pagoda.engine.RequestOutput;
import dev.pagoda.engine.RequestStream;
import dev.pagoda.sampling.SamplingParams;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One engine request behind an API call: submitted on construction, followed through its
 * coalesced outputs, its choices' text kept by {@link ChoiceText}. {@link #close} waits for the engine to have ended the request, then records its metrics and
 * releases its admission slot.
 */
public final class GenerationRun implements AutoCloseable {
    private final ModelService model;
    private final RequestStream stream;
    private final int[] promptTokenIds;
    private final List<ChoiceText> choices = new ArrayList<>();
    private RequestOutput last;
    private boolean closed;
    private volatile boolean cancelled;

    public GenerationRun(ModelService model, String requestId, String prompt, int[] promptTokenIds, SamplingParams params,
                         Sampling sampling) {
        this.model = model;
        this.promptTokenIds = promptTokenIds;
        this.stream = model.submit(requestId, prompt, promptTokenIds, params);
        for (int i = 0; i < params.n(); i++) {
            choices.add(new ChoiceText(sampling.stop(), sampling.includeStopStr()));
        }
    }

    /**
     * Waits up to {@code millis} for new output; returns whether anything changed.
     *
     * @throws ApiException when the engine failed the request
     */
    public boolean poll(long millis) throws InterruptedException {
        RequestOutput o = stream.next(millis, TimeUnit.MILLISECONDS);
        if (o == null || o == last) return false;
        last = o;
        if (o.error() != null) throw new ApiException(500, "InternalServerError", "The engine failed the request: " + o.error(), null);
        for (CompletionOutput c : o.outputs()) choices.get(c.index()).update(c);
        return true;
    }

    /** Waits until every choice has ended. */
    public void awaitDone() throws InterruptedException {
        while (!done()) poll(1000);
    }

    /** Every choice has ended (the engine may still be finishing an abort). */
    public boolean done() {
        for (ChoiceText c : choices) if (!c.finished()) return false;
        return true;
    }

    /** The client went away: abort in the engine (safe from any thread). */
    public void cancel() {
        cancelled = true;
        stream.abort();
    }

    public boolean cancelled() {
        return cancelled;
    }

    /**
     * The prompt's log-probabilities (with prompt_logprobs, or echo with logprobs): null for the
     * first token, then one entry per token; known from the request's first output on (null
     * before, and when not asked for).
     */
    public List<Map<Integer, Logprob>> promptLogprobs() {
        return last == null ? null : last.promptLogprobs();
    }

    public List<ChoiceText> choices() {
        return choices;
    }

    public int promptTokens() {
        return promptTokenIds.length;
    }

    public int[] promptTokenIds() {
        return promptTokenIds;
    }

    public int completionTokens() {
        int n = 0;
        for (ChoiceText c : choices) n += c.tokenIds().length;
        return n;
    }

    public String requestId() {
        return stream.requestId();
    }

    /** Ends the request in the engine if it is still running, then records it. Idempotent. */
    @Override
    public void close() throws InterruptedException {
        if (closed) return;
        closed = true;
        double end = now();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        if (last == null || !last.finished()) stream.abort();
        while ((last == null || !last.finished()) && System.nanoTime() < deadline) {
            RequestOutput o = stream.next(100, TimeUnit.MILLISECONDS);
            if (o != null) last = o;
        }
        model.release();
        if (last != null && last.finished()) {
            String reason = cancelled ? "abort" : choices.isEmpty() || choices.getFirst().finishReason() == null
                    ? "abort" : choices.getFirst().finishReason();
            model.metrics().requestDone(last, reason, end);
        }
    }

    private static double now() {
        return System.currentTimeMillis() / 1e3;
    }
}
