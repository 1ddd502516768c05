package dev.pagoda.cli.plan;

import java.util.List;

/**
 * A capacity plan: how one model is laid out over {@code devices} devices and what KV cache is left.
 * All byte figures are per device unless named total.
 *
 * @param minDevices        the fewest devices on which one max-model-len sequence fits; null when none does
 * @param kvBytesPerToken   K and V of one token in every attention layer held on one device
 * @param kvMemory          what is left for the KV cache: budget − weights − overhead (may be negative)
 * @param maxModelLen       the requested length when it fits, else the longest that does
 * @param maxConcurrency    max-model-len sequences the KV cache holds at once; null without a KV cache
 */
public record Plan(ModelSpec model, String device, int devices, Integer minDevices, String weightDtype, String kvDtype,
                   long weightBytesTotal, long weightBytesPerDevice, int kvHeadsPerDevice, long kvBytesPerToken,
                   long budget, long overhead, long kvMemory, int blockSize, long kvBlocks, long kvTokens,
                   int requestedMaxModelLen, int maxModelLen, boolean fits, Double maxConcurrency, List<String> notes) {
}
