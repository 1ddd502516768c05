package dev.pagoda.engine;

import dev.pagoda.config.EngineArgs;
import dev.pagoda.sampling.SamplingParams;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Run in its own JVM by {@link MemoryStabilityTest}: 100 warm-up requests, then 1,000 more;
 * prints the process RSS after each phase and the KV block counts.
 */
public final class MemoryProbe {
    public static void main(String[] args) throws Exception {
        EngineArgs a = new EngineArgs().model(Path.of(args[0]));
        a.kvCacheMemory = 16L << 20;
        a.maxNumSeqs = 16;
        a.maxNumBatchedTokens = 512;
        a.maxModelLen = 512;
        a.numThreads = 1; // the subject is memory, not speed: no contention with the rest of the suite
        try (LLM llm = new LLM(a).showProgress(false)) {
            run(llm, 100, 0);
            long before = rss();
            run(llm, 1000, 100);
            long after = rss();
            System.out.println("rss_before=" + before + " rss_after=" + after + " free_blocks=" + llm.engine().freeBlocks()
                    + " total_blocks=" + llm.engine().totalBlocks());
        }
    }

    /** {@code count} requests in batches of 20, varied prompts and lengths, some sampled. */
    static void run(LLM llm, int count, int seed) {
        for (int start = 0; start < count; start += 20) {
            List<Prompt> prompts = new ArrayList<>();
            List<SamplingParams> params = new ArrayList<>();
            for (int i = start; i < start + 20; i++) {
                int[] ids = new int[1 + (i * 7 + seed) % 60];
                for (int j = 0; j < ids.length; j++) ids[j] = 3 + (i * 31 + j * 17 + seed) % 500;
                prompts.add(Prompt.tokens(ids));
                params.add(SamplingParams.builder().temperature(i % 3 == 0 ? 0.0 : 0.9).seed((long) i)
                        .maxTokens(8 + i % 40).logprobs(i % 5 == 0 ? 3 : null).build());
            }
            llm.generatePrompts(prompts, params);
        }
    }

    static long rss() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
        }
        throw new IllegalStateException("no VmRSS");
    }
}
