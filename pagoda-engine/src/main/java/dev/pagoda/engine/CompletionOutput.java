package dev.pagoda.engine;

import java.util.List;
import java.util.Map;

/**
 * One generated sequence, shaped like vLLM's {@code CompletionOutput}.
 *
 * @param logprobs per generated token, the requested top-N plus the sampled token (null when not requested)
 * @param stopReason the stop token id (Integer) or stop string (String) that ended the sequence, if one did
 */
public record CompletionOutput(int index, String text, int[] tokenIds, double cumulativeLogprob,
                               List<Map<Integer, Logprob>> logprobs, FinishReason finishReason, Object stopReason) {
}
