package dev.pagoda.cli.plan;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pagoda.PagodaException;
import dev.pagoda.cache.KvCache;
import dev.pagoda.cache.KvCachePlan;
import dev.pagoda.model.loader.Checkpoint;
import dev.pagoda.model.loader.DType;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** The planner's figures against arithmetic done by hand (written out in each test). */
class CapacityPlannerTest {
    private static final long GIB = 1L << 30;
    private static final long OVERHEAD = 3L << 29; // the default 1.5 GiB per device

    private static PlanOptions device(long memory, Integer devices) {
        return new PlanOptions(memory, devices, 0.9, "auto", null, "auto", null, null, null, 256);
    }

    @Test
    void denseLlama31_8bOnOne80GbDevice() {
        ModelSpec m = Catalogue.spec("Llama-3.1-8B-Instruct");
        // attention per layer: q 4096×4096 + k,v 2×4096×1024 + o 4096×4096 = 41,943,040; MLP 3×4096×14336 = 176,160,768
        assertEquals(32L * (41_943_040 + 176_160_768), m.linearParameters());
        // embeddings and LM head (untied) 2×128256×4096, two norms per layer 32×2×4096, final norm 4096
        assertEquals(2L * 128_256 * 4096 + 32L * 2 * 4096 + 4096, m.otherParameters());
        assertEquals(8_030_261_248L, m.parameters()); // Meta's published count
        Plan p = CapacityPlanner.plan(m, device(80_000_000_000L, null));
        assertEquals(1, p.devices());
        assertEquals(1, p.minDevices());
        assertEquals(8_030_261_248L * 2, p.weightBytesPerDevice()); // bfloat16
        assertEquals(2L * 32 * 8 * 128 * 2, p.kvBytesPerToken()); // K and V × 32 layers × 8 KV heads × 128 × 2 bytes = 131,072
        assertEquals(72_000_000_000L - 16_060_522_496L - OVERHEAD, p.kvMemory()); // 0.9 × 80e9 − weights − overhead
        long blocks = (72_000_000_000L - 16_060_522_496L - OVERHEAD) / (16 * 131_072L);
        assertEquals(25_906, blocks);
        assertEquals(blocks, p.kvBlocks());
        assertEquals(blocks * 16, p.kvTokens());
        assertEquals(131_072, p.maxModelLen()); // the model's position limit
        assertEquals(25_906 / (131_072 / 16.0), p.maxConcurrency(), 1e-9);
    }

    @Test
    void denseLlama31_8bOn24GbNeedsTwoDevicesForItsFullContext() {
        Plan p = CapacityPlanner.plan(Catalogue.spec("Llama-3.1-8B-Instruct"), device(24_000_000_000L, null));
        // tp=1: 21.6e9 − 16,060,522,496 − 1.5 GiB = 3,928,864,768 B of KV < 131,072 tokens × 131,072 B = 17,179,869,184
        // tp=2: weights 8,030,261,248 and 4 KV heads per device: 21.6e9 − 8,030,261,248 − 1.5 GiB = 11,959,126,016 B
        //       ≥ 131,072 tokens × 65,536 B = 8,589,934,592
        assertEquals(2, p.minDevices());
        assertEquals(2, p.devices());
        assertEquals(8_030_261_248L, p.weightBytesPerDevice());
        assertEquals(4, p.kvHeadsPerDevice());
        assertEquals(2L * 32 * 4 * 128 * 2, p.kvBytesPerToken());
        assertEquals(11_959_126_016L, p.kvMemory());
        assertTrue(p.fits());

        Plan one = CapacityPlanner.plan(Catalogue.spec("Llama-3.1-8B-Instruct"), device(24_000_000_000L, 1));
        assertFalse(one.fits());
        // the longest whole-block length: (3,928,864,768 / (16 × 131,072)) blocks = 1873 blocks = 29,968 tokens
        assertEquals(21_600_000_000L - 16_060_522_496L - OVERHEAD, 3_928_864_768L);
        assertEquals(3_928_864_768L / (16 * 131_072L) * 16, one.maxModelLen());
        assertEquals(29_968, one.maxModelLen());
    }

    @Test
    void gqaKvHeadsAreReplicatedBeyondTheirCount() {
        ModelSpec m = Catalogue.spec("Qwen2.5-0.5B-Instruct"); // 14 heads, 2 KV heads of 64, 24 layers
        assertEquals(494_032_768L, m.parameters());
        // divisors of 14 that divide 2 (1, 2) or are multiples of it (14); 7 is neither
        assertEquals(java.util.List.of(1, 2, 14), CapacityPlanner.validSizes(m));
        Plan two = CapacityPlanner.plan(m, device(16L * GIB, 2));
        assertEquals(1, two.kvHeadsPerDevice()); // 2 / 2
        assertEquals(2L * 24 * 1 * 64 * 2, two.kvBytesPerToken());
        assertEquals((494_032_768L * 2 + 1) / 2, two.weightBytesPerDevice());
        Plan fourteen = CapacityPlanner.plan(m, device(16L * GIB, 14));
        assertEquals(1, fourteen.kvHeadsPerDevice()); // max(1, 2 / 14): each KV head replicated on 7 devices
        assertEquals(2L * 24 * 1 * 64 * 2, fourteen.kvBytesPerToken());
        assertEquals((494_032_768L * 2 + 13) / 14, fourteen.weightBytesPerDevice()); // rounded up
        assertTrue(fourteen.notes().stream().anyMatch(n -> n.contains("replicated")), fourteen.notes().toString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CapacityPlanner.plan(m, device(16L * GIB, 7)));
        assertTrue(e.getMessage().contains("must divide the 14 attention heads"), e.getMessage());
    }

    @Test
    void moeKeepsEveryExpertResident() {
        ModelSpec m = Catalogue.spec("Qwen/Qwen3-30B-A3B"); // 48 layers, 128 experts of 768, 8 active
        long attention = 2048L * 4096 + 2 * 2048L * 512 + 4096L * 2048; // q, k, v, o = 18,874,368
        long experts = 3L * 128 * 2048 * 768;                           // 603,979,776 per layer
        assertEquals(48 * (attention + experts), m.linearParameters());
        // embeddings + LM head, norms (2×2048 + q/k norms 2×128) and routers (2048×128) per layer, final norm
        assertEquals(2L * 151_936 * 2048 + 48L * (2 * 2048 + 2 * 128) + 48L * 2048 * 128 + 2048, m.otherParameters());
        assertEquals(30_532_122_624L, m.parameters());
        assertEquals(30_532_122_624L - 48L * 3 * (128 - 8) * 2048 * 768, m.activeParameters()); // 3,353,032,704
        Plan p = CapacityPlanner.plan(m, device(80_000_000_000L, null));
        assertEquals(30_532_122_624L * 2, p.weightBytesTotal()); // all experts, not the active ones
        assertEquals(1, p.devices());
        assertEquals(2L * 48 * 4 * 128 * 2, p.kvBytesPerToken()); // 98,304
        assertEquals(72_000_000_000L - 61_064_245_248L - OVERHEAD, p.kvMemory());
        assertTrue(p.fits());
        // 40,960 tokens × 98,304 B = 4,026,531,840 B per sequence; the pool is whole blocks of 16 × 98,304
        long pool = (72_000_000_000L - 61_064_245_248L - OVERHEAD) / (16 * 98_304L) * (16 * 98_304L);
        assertEquals(pool / (40_960 * 98_304.0), p.maxConcurrency(), 1e-9);
    }

    @Test
    void slidingWindowLayersCountOnlyTheWindow() {
        ModelSpec m = Catalogue.spec("gemma-3-1b-it"); // 26 layers, every 6th global: 4 full, 22 sliding (512)
        assertEquals(4, m.fullAttentionLayers());
        assertEquals(22, m.slidingLayers());
        assertEquals(999_885_952L, m.parameters()); // Google's published count
        Plan p = CapacityPlanner.plan(m, device(16L * GIB, null));
        assertEquals(26L * 2 * 1 * 256 * 2, p.kvBytesPerToken()); // 26,624
        long budget = (long) (0.9 * 16 * GIB);                    // 15,461,882,265
        assertEquals(budget - 1_999_771_904L - OVERHEAD, p.kvMemory());
        long blocks = (budget - 1_999_771_904L - OVERHEAD) / (16 * 26_624L); // 27,821
        assertEquals(27_821, blocks);
        // one 32,768-token sequence: 4 full layers × 1024 B × 32,768 + 22 sliding layers × 1024 B × 512
        long sequence = 4L * 1024 * 32_768 + 22L * 1024 * 512;
        assertEquals(145_752_064L, sequence);
        assertEquals(blocks * 16 * 26_624 / (double) sequence, p.maxConcurrency(), 1e-9);

        ModelSpec mistral = Catalogue.spec("Mistral-7B-v0.1"); // window 4096 on all 32 layers
        Plan q = CapacityPlanner.plan(mistral, device(24_000_000_000L, 1));
        long perToken = 2L * 32 * 8 * 128 * 2;
        assertEquals(perToken * 4096, CapacityPlanner.sequenceBytes(mistral, 32_768, 16, 0, perToken));
        assertEquals(q.kvBlocks() * 16 * perToken / (double) (perToken * 4096), q.maxConcurrency(), 1e-9);
    }

    @Test
    void encoderModelsHaveNoKvCache() {
        ModelSpec m = Catalogue.spec("BAAI/bge-base-en-v1.5");
        // BERT-base: embeddings (30522 + 512 + 2) × 768 + LayerNorm 2×768; per layer 4×768² + 4×768 biases,
        // MLP 2×768×3072 + 3072 + 768, two LayerNorms 4×768; pooler 768² + 768
        long perLayer = 4L * 768 * 768 + 4 * 768 + 2L * 768 * 3072 + 3072 + 768 + 4 * 768;
        assertEquals((30_522L + 512 + 2) * 768 + 2 * 768 + 12 * perLayer + 768L * 768 + 768, m.parameters());
        assertEquals(109_482_240L, m.parameters());
        Plan p = CapacityPlanner.plan(m, device(8_000_000_000L, null));
        assertEquals(0, p.kvBytesPerToken());
        assertNull(p.maxConcurrency());
        assertTrue(p.fits());
        assertEquals("float16", p.weightDtype()); // vLLM runs float32 checkpoints in float16
        assertEquals(109_482_240L * 2, p.weightBytesTotal());
        assertEquals(512, p.maxModelLen());
    }

    @Test
    void quantizationAppliesToLinearLayersOnly() {
        ModelSpec m = Catalogue.spec("Llama-3.1-8B-Instruct");
        PlanOptions awq = new PlanOptions(24_000_000_000L, 1, 0.9, "auto", "awq", "auto", null, 8192, null, 256);
        Plan p = CapacityPlanner.plan(m, awq);
        long linear = 32L * (41_943_040 + 176_160_768);                 // 6,979,321,856 weights at 4.25 bits
        long other = 2L * 128_256 * 4096 + 32L * 2 * 4096 + 4096;       // stay bfloat16
        assertEquals((long) Math.ceil(linear * 4.25 / 8) + other * 2, p.weightBytesTotal());
        assertEquals(8192, p.maxModelLen()); // explicit --max-model-len
    }

    @Test
    void maxModelLenAboveThePositionLimitIsAnOverride() {
        PlanOptions o = new PlanOptions(80_000_000_000L, null, 0.9, "auto", null, "auto", null, 16_384, null, 256);
        Plan p = CapacityPlanner.plan(Catalogue.spec("Meta-Llama-3-8B-Instruct"), o); // 8192 positions
        assertEquals(16_384, p.maxModelLen());
        assertTrue(p.notes().getFirst().contains("above the model's 8192 positions"), p.notes().toString());
    }

    @Test
    void refusesWhatItCannotSize() throws Exception {
        ObjectMapper json = new ObjectMapper();
        var mla = json.readTree("""
                {"architectures": ["DeepseekV3ForCausalLM"], "hidden_size": 7168, "num_hidden_layers": 61, "num_attention_heads": 128,
                 "kv_lora_rank": 512, "intermediate_size": 18432, "vocab_size": 129280, "max_position_embeddings": 163840}""");
        PagodaException e = assertThrows(PagodaException.class, () -> ModelSpecReader.fromHfConfig("deepseek-v3", mla, null));
        assertTrue(e.getMessage().contains("cannot size DeepseekV3ForCausalLM: multi-head latent attention"), e.getMessage());
        var missing = json.readTree("{\"architectures\": [\"LlamaForCausalLM\"], \"num_hidden_layers\": 2}");
        e = assertThrows(PagodaException.class, () -> ModelSpecReader.fromHfConfig("x", missing, null));
        assertEquals("x: cannot size: missing 'hidden_size'", e.getMessage());
        e = assertThrows(PagodaException.class, () -> Catalogue.spec("no-such-model"));
        assertTrue(e.getMessage().contains("neither a file nor a catalogue model"), e.getMessage());
    }

    /** On the CPU the planner and the engine's KvCachePlan, given the same memory, agree block for block. */
    @Test
    void cpuPlanAgreesWithTheEngine() {
        for (Path model : new Path[]{Path.of("../models/stories260K/stories260K.gguf"), Path.of("/work/shared/models/fixtures/qwen2/hf-sharded")}) {
            ModelSpec spec = ModelSpecReader.read(model);
            try (Checkpoint c = Checkpoint.open(model)) {
                assertEquals(c.weightBytes(), spec.checkpointBytes(), "weights as the engine maps them");
                long heap = Runtime.getRuntime().maxMemory();
                DType kv = KvCache.autoDType(c.config().weightDType());
                long bytesPerToken = KvCache.bytesPerToken(c.config(), kv);
                int maxLen = c.config().maxPositionEmbeddings();
                // a memory in which the pool is not capped by max-num-seqs, one where it is, and one too small
                for (long kvRoom : new long[]{40L * bytesPerToken * maxLen, 1000L * bytesPerToken * maxLen * 256, bytesPerToken * maxLen / 2}) {
                    long usable = (long) ((heap + GIB + c.weightBytes() + kvRoom) / 0.9);
                    Plan p = CapacityPlanner.plan(spec, PlanOptions.defaults(), usable, heap);
                    assertEquals(bytesPerToken, p.kvBytesPerToken());
                    if (kvRoom < bytesPerToken * maxLen) {
                        assertFalse(p.fits());
                        PagodaException e = assertThrows(PagodaException.class, () -> KvCachePlan.plan(bytesPerToken, 128, maxLen, 256, null, 0.9,
                                null, c.weightBytes(), 0, usable));
                        assertTrue(e.getMessage().contains("the largest max-model-len that fits is " + p.maxModelLen()), e.getMessage());
                    } else {
                        KvCachePlan engine = KvCachePlan.plan(bytesPerToken, 128, maxLen, 256, null, 0.9, null, c.weightBytes(), 0, usable);
                        assertTrue(p.fits());
                        assertEquals(engine.numBlocks(), p.kvBlocks(), model + " with " + kvRoom + " B for the KV cache");
                    }
                }
            }
        }
    }
}
