package dev.pagoda.cli.latency;

import dev.pagoda.PagodaException;
import dev.pagoda.engine.LLM;
import dev.pagoda.engine.ProgressBar;
import dev.pagoda.engine.Prompt;
import dev.pagoda.engine.RequestMetrics;
import dev.pagoda.engine.RequestOutput;
import dev.pagoda.sampling.SamplingParams;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * Runs scenarios on a loaded model: greedy, exact output lengths (ignore_eos), warm-ups discarded,
 * TTFT and latency of each request taken from the same generation. A prompt longer than
 * max-model-len − output tokens keeps its last tokens (as vLLM's truncate_prompt_tokens), and the
 * report says so.
 */
public final class LatencyRunner {
    private final LLM llm;
    private final PrintStream progress;

    public LatencyRunner(LLM llm, PrintStream progress) {
        this.llm = llm.showProgress(false);
        this.progress = progress;
    }

    public ScenarioResult run(Scenario s, int warmup, int runs) {
        int[] ids = llm.tokenizer().encode(s.prompt(), true);
        int room = llm.maxModelLen() - s.outputTokens();
        if (room < 1) {
            throw new PagodaException("scenario '" + s.name() + "': " + s.outputTokens() + " output tokens do not fit max-model-len " + llm.maxModelLen());
        }
        int[] input = ids.length > room ? Arrays.copyOfRange(ids, ids.length - room, ids.length) : ids;
        List<Prompt> prompts = Collections.nCopies(s.batch(), Prompt.tokens(input));
        SamplingParams params = SamplingParams.builder().temperature(0.0).maxTokens(s.outputTokens()).ignoreEos(true).build();
        ProgressBar bar = new ProgressBar(String.format("%-14s runs", s.name()), warmup + runs, progress);
        List<RunFigures> warm = new ArrayList<>(), measured = new ArrayList<>();
        for (int i = 0; i < warmup + runs; i++) {
            (i < warmup ? warm : measured).add(once(s, prompts, params));
            bar.update(i + 1);
        }
        bar.finish();
        return new ScenarioResult(s, input.length, ids.length, warm, measured);
    }

    private RunFigures once(Scenario s, List<Prompt> prompts, SamplingParams params) {
        ProcessMemory.resetPeaks();
        List<RequestOutput> outs = llm.generatePrompts(prompts, params);
        List<Double> ttft = new ArrayList<>(), latency = new ArrayList<>();
        double first = Double.MAX_VALUE, last = 0;
        for (RequestOutput o : outs) {
            if (o.error() != null) throw new PagodaException("scenario '" + s.name() + "': " + o.error());
            int n = o.outputs().getFirst().tokenIds().length;
            if (n != s.outputTokens()) throw new PagodaException("scenario '" + s.name() + "': got " + n + " tokens instead of " + s.outputTokens());
            RequestMetrics m = o.metrics();
            ttft.add(m.firstTokenTime() - m.arrivalTime());
            latency.add(m.lastTokenTime() - m.arrivalTime());
            first = Math.min(first, m.arrivalTime());
            last = Math.max(last, m.lastTokenTime());
        }
        return new RunFigures(ttft, latency, s.outputTokens(), last - first, ProcessMemory.peakHeap(), ProcessMemory.peakRss());
    }
}
