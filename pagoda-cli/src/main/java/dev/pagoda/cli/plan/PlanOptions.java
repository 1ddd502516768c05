package dev.pagoda.cli.plan;

/**
 * The device and serving settings a plan is made for.
 *
 * @param deviceMemory      bytes per accelerator; null plans this machine's CPU as the engine would
 * @param devices           tensor-parallel size; null for the fewest devices that fit
 * @param dtype             auto, float32, float16 or bfloat16
 * @param quantization      null, or a weight format from {@link Quantization}
 * @param kvCacheDtype      auto, float32, float16, bfloat16 or fp8
 * @param blockSize         null: 16 on a device (vLLM's GPU default), 128 on the CPU
 * @param maxModelLen       null: the model's position limit
 * @param overheadPerDevice null: {@link CapacityPlanner#DEFAULT_DEVICE_OVERHEAD} on a device; on the CPU the JVM heap limit + 1 GiB
 * @param maxNumSeqs        the CPU engine allocates no more blocks than this many max-model-len sequences use
 */
public record PlanOptions(Long deviceMemory, Integer devices, double utilization, String dtype, String quantization,
                          String kvCacheDtype, Integer blockSize, Integer maxModelLen, Long overheadPerDevice, int maxNumSeqs) {

    public static PlanOptions defaults() {
        return new PlanOptions(null, null, 0.9, "auto", null, "auto", null, null, null, 256);
    }

    public boolean cpu() {
        return deviceMemory == null;
    }

    public int effectiveBlockSize() {
        return blockSize != null ? blockSize : cpu() ? 128 : 16;
    }
}
