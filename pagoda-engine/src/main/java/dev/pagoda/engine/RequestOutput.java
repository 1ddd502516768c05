package dev.pagoda.engine;

import java.util.List;
import java.util.Map;

/**
 * A request's result (or progress), shaped like vLLM's {@code RequestOutput}.
 *
 * @param promptLogprobs with {@code prompt_logprobs}: one entry per prompt token, null for the first
 *                       (it has no context), then the token's log-probability given the tokens before
 *                       it, with its rank, plus the top-k alternatives (the raw logits' log-softmax);
 *                       complete from the first output on. Null when not requested
 */
public record RequestOutput(String requestId, String prompt, int[] promptTokenIds, List<Map<Integer, Logprob>> promptLogprobs,
                            List<CompletionOutput> outputs, boolean finished, RequestMetrics metrics, String error) {
}
