package dev.pagoda.config;

import java.nio.file.Path;
import java.util.Locale;

/**
 * Every engine setting, named and defaulted as vLLM's flags are (see DESIGN.md's defaults).
 * Null means "derive it" (from the model, or from memory). {@link #set} applies one command-line
 * flag by its vLLM name, so the CLI and the server share one parser.
 */
public final class EngineArgs {
    public Path model;
    public Path tokenizer;
    public String dtype = "auto";
    public String kvCacheDtype = "auto";
    /** q8_0 or q4_0: quantize F32/F16/BF16 weights at load (off-heap); null keeps the checkpoint's formats. */
    public String quantization;
    public Integer maxModelLen;
    public int maxNumSeqs = 256;
    public int maxNumBatchedTokens = 4096;
    public int blockSize = 128;
    /**
     * Pagoda's own: logit rows per step for prompt log-probabilities, on top of one per sequence
     * (the logits buffer is planned at (max-num-seqs + this) × vocabulary floats); 0 refuses
     * prompt_logprobs. A longer prompt asking for them is computed in chunks of at most this many.
     */
    public int maxPromptLogprobsRows = 128;
    public boolean enableChunkedPrefill = true;
    public boolean enablePrefixCaching = true;
    public Long kvCacheMemory;
    public double gpuMemoryUtilization = 0.9;
    public Integer numGpuBlocksOverride;
    public int numThreads = Runtime.getRuntime().availableProcessors();
    public String generationConfig = "auto";
    /** Accepted for launch scripts written for older vLLM; Pagoda schedules every step (see README). */
    public int numSchedulerSteps = 1;
    public String servedModelName;

    public EngineArgs model(Path path) {
        this.model = path;
        return this;
    }

    /**
     * Applies {@code --flag value} (or a boolean flag with value null); returns false when the
     * flag is not an engine flag. Bad values are IllegalArgumentException naming the flag.
     */
    public boolean set(String flag, String value) {
        switch (flag) {
            case "--model" -> model = Path.of(required(flag, value));
            case "--tokenizer" -> tokenizer = Path.of(required(flag, value));
            case "--dtype" -> dtype = dtype(required(flag, value));
            case "--kv-cache-dtype" -> {
                kvCacheDtype = dtype(required(flag, value));
                if (kvCacheDtype.equals("float16")) {
                    throw new IllegalArgumentException("--kv-cache-dtype must be auto, float32 or bfloat16, got '" + value + "'");
                }
            }
            case "--quantization" -> {
                String q = required(flag, value).toLowerCase(Locale.ROOT);
                if (!q.equals("q8_0") && !q.equals("q4_0")) {
                    throw new IllegalArgumentException("--quantization must be q8_0 or q4_0, got '" + value + "'");
                }
                quantization = q;
            }
            case "--max-model-len" -> maxModelLen = positive(flag, value);
            case "--max-num-seqs" -> maxNumSeqs = positive(flag, value);
            case "--max-num-batched-tokens" -> maxNumBatchedTokens = positive(flag, value);
            case "--block-size" -> blockSize = positive(flag, value);
            case "--max-prompt-logprobs-rows" -> maxPromptLogprobsRows = nonNegative(flag, value);
            case "--enable-chunked-prefill" -> enableChunkedPrefill = bool(flag, value);
            case "--no-enable-chunked-prefill" -> enableChunkedPrefill = false;
            case "--enable-prefix-caching" -> enablePrefixCaching = bool(flag, value);
            case "--no-enable-prefix-caching" -> enablePrefixCaching = false;
            case "--kv-cache-memory", "--kv-cache-memory-bytes" -> kvCacheMemory = bytes(flag, required(flag, value));
            case "--gpu-memory-utilization" -> {
                gpuMemoryUtilization = number(flag, value);
                if (!(gpuMemoryUtilization > 0 && gpuMemoryUtilization <= 1)) {
                    throw new IllegalArgumentException(flag + " must be in (0, 1], got " + value);
                }
            }
            case "--num-gpu-blocks-override" -> numGpuBlocksOverride = positive(flag, value);
            case "--num-threads" -> numThreads = positive(flag, value);
            case "--num-scheduler-steps" -> numSchedulerSteps = positive(flag, value);
            case "--multi-step-stream-outputs" -> bool(flag, value);
            case "--generation-config" -> generationConfig = required(flag, value);
            case "--served-model-name" -> servedModelName = required(flag, value);
            default -> {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code flag} takes no value (a switch). */
    public static boolean isSwitch(String flag) {
        return flag.startsWith("--no-") || flag.equals("--enable-chunked-prefill") || flag.equals("--enable-prefix-caching");
    }

    private static String dtype(String v) {
        String d = v.toLowerCase(Locale.ROOT);
        return switch (d) {
            case "auto", "float32", "float16", "bfloat16" -> d;
            case "float", "fp32" -> "float32";
            case "half", "fp16" -> "float16";
            case "bf16" -> "bfloat16";
            default -> throw new IllegalArgumentException("--dtype must be auto, float32, float16 or bfloat16, got '" + v + "'");
        };
    }

    private static String required(String flag, String v) {
        if (v == null || v.isEmpty()) throw new IllegalArgumentException(flag + " needs a value");
        return v;
    }

    private static int positive(String flag, String v) {
        try {
            int n = Integer.parseInt(required(flag, v));
            if (n < 1) throw new IllegalArgumentException(flag + " must be at least 1, got " + v);
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " must be an integer, got '" + v + "'");
        }
    }

    private static int nonNegative(String flag, String v) {
        try {
            int n = Integer.parseInt(required(flag, v));
            if (n < 0) throw new IllegalArgumentException(flag + " must be at least 0, got " + v);
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " must be an integer, got '" + v + "'");
        }
    }

    private static double number(String flag, String v) {
        try {
            return Double.parseDouble(required(flag, v));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " must be a number, got '" + v + "'");
        }
    }

    private static boolean bool(String flag, String v) {
        if (v == null) return true;
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes" -> true;
            case "false", "0", "no" -> false;
            default -> throw new IllegalArgumentException(flag + " must be true or false, got '" + v + "'");
        };
    }

    /** Parses a byte count: a plain number, or with a unit (KiB, MiB, GiB = 2^10.., KB, MB, GB = 10^3..). */
    public static long bytes(String flag, String v) {
        String s = v.trim().toUpperCase(Locale.ROOT);
        long unit = 1;
        String[][] units = {{"KIB", "1024"}, {"MIB", "1048576"}, {"GIB", "1073741824"}, {"TIB", "1099511627776"},
                {"KB", "1000"}, {"MB", "1000000"}, {"GB", "1000000000"}, {"TB", "1000000000000"}, {"B", "1"}};
        for (String[] u : units) {
            if (s.endsWith(u[0])) {
                unit = Long.parseLong(u[1]);
                s = s.substring(0, s.length() - u[0].length()).trim();
                break;
            }
        }
        try {
            double n = Double.parseDouble(s);
            if (n <= 0) throw new IllegalArgumentException(flag + " must be positive, got '" + v + "'");
            return (long) (n * unit);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " must be a byte count such as 4GiB, got '" + v + "'");
        }
    }
}
