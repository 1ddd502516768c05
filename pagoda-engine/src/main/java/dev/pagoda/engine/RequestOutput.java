package dev.pagoda.engine;

import java.util.List;

/** A request's result (or progress), shaped like vLLM's {@code RequestOutput}. */
public record RequestOutput(String requestId, String prompt, int[] promptTokenIds, List<CompletionOutput> outputs,
                            boolean finished, RequestMetrics metrics, String error) {
}
