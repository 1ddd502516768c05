package dev.pagoda.cli.plan;

import dev.pagoda.PagodaException;
import dev.pagoda.cache.KvCachePlan;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Sizes a model on devices, by these rules (README: pagoda plan):
 * <ul>
 *   <li>the tensor-parallel size divides the attention heads, and divides or is a multiple of the KV heads;</li>
 *   <li>weights are split evenly: total / devices per device; MoE models keep every expert resident;</li>
 *   <li>KV heads per device = max(1, kv_heads / devices): replicated when devices exceed the KV heads;</li>
 *   <li>KV bytes per token per device = 2 (K, V) × layers × KV heads per device × head_dim × element size;
 *       a sequence of L tokens (rounded up to whole blocks) costs that for L tokens in full-attention
 *       layers and for min(L, window) tokens in sliding-window layers; encoder-only models have no KV cache;</li>
 *   <li>KV memory per device = device memory × utilization − weights per device − overhead per device;</li>
 *   <li>max-model-len defaults to the model's position limit; a sequence of it must fit, else the plan
 *       reports the longest that does.</li>
 * </ul>
 * On the CPU (no device memory given) it follows the engine's {@link KvCachePlan}: the memory this
 * process may use, one device, overhead = the JVM heap limit + 1 GiB, and no more blocks than
 * max-num-seqs sequences of max-model-len use.
 */
public final class CapacityPlanner {
    /** Per device: runtime context, activations of the profile run and workspace (settable with --overhead-per-device). */
    public static final long DEFAULT_DEVICE_OVERHEAD = 3L << 29; // 1.5 GiB
    private static final long CPU_RESERVE = 1L << 30;

    private CapacityPlanner() {
    }

    /** Plans with this machine's memory and JVM heap limit for the CPU case. */
    public static Plan plan(ModelSpec spec, PlanOptions o) {
        return plan(spec, o, o.cpu() ? KvCachePlan.usableMemory() : 0, Runtime.getRuntime().maxMemory());
    }

    /** @param cpuMemory the memory this process may use (the CPU case only); @param heapLimit the JVM's -Xmx */
    public static Plan plan(ModelSpec spec, PlanOptions o, long cpuMemory, long heapLimit) {
        int requested = o.maxModelLen() != null ? o.maxModelLen() : spec.maxPositions();
        if (requested < 1) throw new IllegalArgumentException("--max-model-len must be positive, got " + requested);
        if (o.utilization() <= 0 || o.utilization() > 1) {
            throw new IllegalArgumentException("--gpu-memory-utilization must be in (0, 1], got " + o.utilization());
        }
        if (o.cpu() && o.devices() != null && o.devices() != 1) {
            throw new IllegalArgumentException("--devices applies to accelerators (give --device-memory); the CPU engine runs on one");
        }
        Integer minDevices = null;
        Plan first = null;
        for (int tp : o.cpu() ? List.of(1) : validSizes(spec)) {
            Plan p = planOn(spec, o, tp, requested, cpuMemory, heapLimit, null);
            if (first == null) first = p;
            if (p.fits()) {
                minDevices = tp;
                break;
            }
        }
        int tp = o.devices() != null ? o.devices() : minDevices != null ? minDevices : first.devices();
        if (!o.cpu() && !valid(spec, tp)) {
            throw new IllegalArgumentException("--devices " + tp + " cannot split " + spec.name() + ": the tensor-parallel size must divide the "
                    + spec.numHeads() + " attention heads and divide or be a multiple of the " + spec.numKvHeads() + " KV heads (valid: "
                    + validSizes(spec) + ")");
        }
        return planOn(spec, o, tp, requested, cpuMemory, heapLimit, minDevices);
    }

    /** Tensor-parallel sizes that can split the model, ascending. */
    public static List<Integer> validSizes(ModelSpec spec) {
        List<Integer> sizes = new ArrayList<>();
        for (int tp = 1; tp <= spec.numHeads(); tp++) if (valid(spec, tp)) sizes.add(tp);
        return sizes;
    }

    private static boolean valid(ModelSpec spec, int tp) {
        return tp >= 1 && spec.numHeads() % tp == 0 && (spec.numKvHeads() % tp == 0 || tp % spec.numKvHeads() == 0);
    }

    private static Plan planOn(ModelSpec spec, PlanOptions o, int tp, int requested, long cpuMemory, long heapLimit, Integer minDevices) {
        List<String> notes = new ArrayList<>();
        String weightDtype = weightDtype(spec, o);
        long weights = weightBytes(spec, o, weightDtype);
        long weightsPerDevice = ceilDiv(weights, tp);
        String kvDtype = kvDtype(spec, o, weightDtype);
        int kvHeads = Math.max(1, spec.numKvHeads() / tp);
        long perLayerToken = 2L * kvHeads * spec.headDim() * elementBytes(kvDtype);
        long fullPerToken = spec.fullAttentionLayers() * perLayerToken;
        long slidingPerToken = spec.slidingLayers() * perLayerToken;
        long kvPerToken = fullPerToken + slidingPerToken;
        long memory = o.cpu() ? cpuMemory : o.deviceMemory();
        long budget = (long) (o.utilization() * memory);
        long overhead = o.overheadPerDevice() != null ? o.overheadPerDevice() : o.cpu() ? heapLimit + CPU_RESERVE : DEFAULT_DEVICE_OVERHEAD;
        long kvMemory = budget - weightsPerDevice - overhead;
        int bs = o.effectiveBlockSize();
        if (bs < 1) throw new IllegalArgumentException("--block-size must be positive, got " + bs);
        long blocksPerSeq = ceilDiv(requested, bs);
        long blocks = kvPerToken == 0 || kvMemory <= 0 ? 0 : kvMemory / (bs * kvPerToken);
        if (o.cpu() && kvPerToken > 0) blocks = Math.min(blocks, blocksPerSeq * o.maxNumSeqs());
        long pool = blocks * bs * kvPerToken;
        boolean fits = kvMemory >= 0 && (kvPerToken == 0 || sequenceBytes(spec, requested, bs, fullPerToken, slidingPerToken) <= pool);
        int maxModelLen = fits ? requested : longestFitting(spec, bs, fullPerToken, slidingPerToken, pool);
        Double concurrency = kvPerToken == 0 ? null
                : maxModelLen == 0 ? 0.0 : pool / (double) sequenceBytes(spec, maxModelLen, bs, fullPerToken, slidingPerToken);

        if (requested > spec.maxPositions()) notes.add("max-model-len " + requested + " is above the model's " + spec.maxPositions() + " positions (overridden)");
        if (spec.encoderOnly() != null) notes.add("encoder-only: no KV cache");
        if (spec.moe() != null) {
            notes.add(String.format(Locale.ROOT, "MoE: all %d experts resident in %d layers (%d active per token; %.2fB of %.2fB parameters active)",
                    spec.moe().experts(), spec.moe().moeLayers(), spec.moe().expertsPerToken(), spec.activeParameters() / 1e9, spec.parameters() / 1e9));
        }
        if (spec.slidingLayers() > 0) {
            notes.add("sliding window of " + spec.sliding().window() + " tokens in " + spec.slidingLayers() + " of " + spec.numLayers() + " layers");
        }
        if (tp > spec.numKvHeads()) notes.add(spec.numKvHeads() + " KV heads over " + tp + " devices: replicated, 1 per device");
        if (o.quantization() != null) notes.add(o.quantization() + " weights: " + Quantization.bitsPerWeight(o.quantization()) + " bits per linear-layer weight");
        if (!fits && maxModelLen > 0) notes.add("max-model-len " + requested + " does not fit; the longest that does is " + maxModelLen);
        if (kvMemory < 0) notes.add("the weights and overhead alone exceed the memory budget");
        String device = o.cpu() ? "cpu" : String.format(Locale.ROOT, "%.1f GiB", o.deviceMemory() / (double) (1L << 30));
        return new Plan(spec, device, tp, minDevices, weightDtype, kvDtype, weights, weightsPerDevice, kvHeads, kvPerToken, budget,
                overhead, kvMemory, bs, blocks, blocks * bs, requested, maxModelLen, fits, concurrency, notes);
    }

    /** Bytes of a sequence of {@code length} tokens, rounded up to whole blocks; sliding layers hold at most the window. */
    static long sequenceBytes(ModelSpec spec, long length, int bs, long fullPerToken, long slidingPerToken) {
        long tokens = ceilDiv(length, bs) * bs;
        long window = spec.sliding() == null ? tokens : Math.min(tokens, spec.sliding().window());
        return fullPerToken * tokens + slidingPerToken * window;
    }

    /** The longest whole-block length whose sequence fits in {@code pool} bytes. */
    private static int longestFitting(ModelSpec spec, int bs, long fullPerToken, long slidingPerToken, long pool) {
        long lo = 0, hi = Integer.MAX_VALUE / bs; // in blocks: lo fits, hi + 1 does not
        while (lo < hi) {
            long mid = (lo + hi + 1) / 2;
            if (sequenceBytes(spec, mid * bs, bs, fullPerToken, slidingPerToken) <= pool) lo = mid;
            else hi = mid - 1;
        }
        return (int) (lo * bs);
    }

    /**
     * The dtype the weights are held in. On a device, vLLM's rule for auto: float32 and float16
     * checkpoints run in float16, bfloat16 in bfloat16. On the CPU, Pagoda keeps the checkpoint's dtype.
     */
    static String weightDtype(ModelSpec spec, PlanOptions o) {
        if (!o.dtype().equals("auto")) return canonical(o.dtype());
        String d = canonical(spec.dtype());
        if (o.cpu()) return d;
        return d.equals("bfloat16") ? "bfloat16" : d.equals("float32") || d.equals("float16") ? "float16" : d;
    }

    /** The exact checkpoint size when the weights are used as stored; otherwise parameters × bytes (quantized linear layers at their bits). */
    static long weightBytes(ModelSpec spec, PlanOptions o, String weightDtype) {
        boolean asStored = o.quantization() == null && weightDtype.equals(canonical(spec.dtype()));
        if (asStored && spec.checkpointBytes() != null) return spec.checkpointBytes();
        if (!isFloat(weightDtype)) {
            throw new PagodaException(spec.name() + ": cannot size " + weightDtype + " weights from the config alone; give the file or --quantization");
        }
        long other = spec.otherParameters() * elementBytes(weightDtype);
        long linear = o.quantization() != null
                ? (long) Math.ceil(spec.linearParameters() * Quantization.bitsPerWeight(o.quantization()) / 8)
                : spec.linearParameters() * elementBytes(weightDtype);
        long converted = linear + other;
        // The CPU engine converts into an off-heap copy and keeps the file mapped; it counts both.
        return o.cpu() && !asStored && spec.checkpointBytes() != null ? spec.checkpointBytes() + converted : converted;
    }

    /** KV element type: given, else on the CPU the engine's rule (bfloat16 for bfloat16 weights, float32 otherwise), on a device the compute dtype. */
    static String kvDtype(ModelSpec spec, PlanOptions o, String weightDtype) {
        if (!o.kvCacheDtype().equals("auto")) return canonical(o.kvCacheDtype());
        if (o.cpu()) return weightDtype.equals("bfloat16") ? "bfloat16" : "float32";
        return isFloat(weightDtype) ? weightDtype : "float16";
    }

    static String canonical(String dtype) {
        return switch (dtype.toLowerCase(Locale.ROOT)) {
            case "float32", "fp32", "f32", "float" -> "float32";
            case "float16", "fp16", "f16", "half" -> "float16";
            case "bfloat16", "bf16" -> "bfloat16";
            case "fp8", "fp8_e4m3", "fp8_e5m2" -> "fp8";
            default -> dtype.toLowerCase(Locale.ROOT);
        };
    }

    private static boolean isFloat(String dtype) {
        return dtype.equals("float32") || dtype.equals("float16") || dtype.equals("bfloat16");
    }

    static int elementBytes(String dtype) {
        return switch (dtype) {
            case "float32" -> 4;
            case "float16", "bfloat16" -> 2;
            case "fp8" -> 1;
            default -> throw new IllegalArgumentException("unknown dtype '" + dtype + "' (float32, float16, bfloat16, fp8 for the KV cache)");
        };
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }
}
