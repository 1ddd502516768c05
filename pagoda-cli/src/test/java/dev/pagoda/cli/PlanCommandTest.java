package dev.pagoda.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** pagoda plan from the command line: units, output formats, --table, errors. */
class PlanCommandTest {
    @Test
    void jsonHasTheDocumentedKeysAndGbIsDecimal() throws Exception {
        CliTestSupport.Result gb = CliTestSupport.run("plan", "--model", "Qwen2.5-7B-Instruct", "--device-memory", "64GB", "--output", "json");
        CliTestSupport.Result gib = CliTestSupport.run("plan", "--model", "Qwen2.5-7B-Instruct", "--device-memory", "64GiB", "--output", "json");
        assertEquals(0, gb.exitCode(), gb.err());
        JsonNode a = new ObjectMapper().readTree(gb.out()), b = new ObjectMapper().readTree(gib.out());
        for (String key : new String[]{"min_devices", "max_model_len", "weight_bytes_per_device", "kv_bytes_per_token"}) assertTrue(a.has(key), key);
        assertEquals((long) (0.9 * 64e9), a.get("memory_budget_per_device").asLong());
        assertEquals((long) (0.9 * 64 * (1L << 30)), b.get("memory_budget_per_device").asLong());
        assertEquals(2L * 28 * 4 * 128 * 2, a.get("kv_bytes_per_token").asLong()); // 28 layers, 4 KV heads of 128, bf16
    }

    @Test
    void tableSizesManyModelsInCsv() {
        CliTestSupport.Result r = CliTestSupport.run("plan", "--table", "--model", "Llama-3.2-1B-Instruct,Qwen3-8B,bge-m3",
                "--device-memory", "24GB", "--output", "csv");
        assertEquals(0, r.exitCode(), r.err());
        String[] lines = r.out().split("\n");
        assertEquals(4, lines.length, r.out());
        assertTrue(lines[0].startsWith("model,architecture,parameters"), lines[0]);
        assertTrue(lines[1].startsWith("meta-llama/Llama-3.2-1B-Instruct,LlamaForCausalLM,"), lines[1]);
        assertTrue(lines[3].contains("encoder-only: no KV cache"), lines[3]);
    }

    @Test
    void markdownOfTheWholeCatalogue() {
        CliTestSupport.Result r = CliTestSupport.run("plan", "--table", "--device-memory", "80GB", "--overhead-per-device", "2GiB");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().startsWith("| model | params |"), r.out());
        assertTrue(r.out().contains("| Qwen/Qwen3-235B-A22B | 235.09B |"), r.out());
    }

    @Test
    void errorsAreOneClearLine() {
        CliTestSupport.Result r = CliTestSupport.run("plan", "--model", "Qwen2.5-0.5B-Instruct", "--device-memory", "8GB", "--devices", "4");
        assertEquals(1, r.exitCode());
        assertTrue(r.err().contains("--devices 4 cannot split Qwen/Qwen2.5-0.5B-Instruct"), r.err());
        r = CliTestSupport.run("plan", "--model", "no-such-model");
        assertTrue(r.err().contains("'no-such-model' is neither a file nor a catalogue model"), r.err());
        r = CliTestSupport.run("plan", "--model", "Qwen3-8B", "--device-memory", "lots");
        assertTrue(r.err().contains("--device-memory must be a byte count"), r.err());
    }
}
