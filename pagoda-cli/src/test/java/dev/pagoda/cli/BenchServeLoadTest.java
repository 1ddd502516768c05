package dev.pagoda.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pagoda.tokenizer.Tokenizer;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** bench serve's load modes and goodput against the scripted loopback stub. */
class BenchServeLoadTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode bench(SseStub stub, Path result, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("bench", "serve", "--base-url", "http://127.0.0.1:" + stub.port(), "--input-len", "4",
                "--result-file", result.toString()));
        args.addAll(List.of(extra));
        CliTestSupport.Result r = CliTestSupport.run(args.toArray(String[]::new));
        assertTrue(r.exitCode() == 0 || args.contains("--max-duration"), r.out() + r.err());
        JsonNode j = JSON.readTree(result.toFile());
        ((com.fasterxml.jackson.databind.node.ObjectNode) j).put("stdout", r.out());
        return j;
    }

    /**
     * 200 requests at 50/s: the gaps between the stub's accepts are exponential with mean 20 ms —
     * their mean within 4 standard errors (20/√199 = 1.4 ms), their coefficient of variation near
     * 1, and a Kolmogorov–Smirnov distance to Exp(50/s) below the 1% critical value 1.63/√199.
     */
    @Test
    void poissonArrivalsAtTheRequestRate() throws Exception {
        try (SseStub stub = new SseStub(5, 2, 3)) {
            JsonNode r = bench(stub, Files.createTempFile("bench", ".json"), "--num-prompts", "200", "--output-len", "3",
                    "--request-rate", "50", "--seed", "7");
            assertEquals(200, r.get("completed").asInt());
            assertEquals(50.0, r.get("request_rate").asDouble());
            long[] t = stub.accepted.stream().mapToLong(Long::longValue).sorted().toArray();
            assertEquals(201, t.length); // and the uncounted test request, first
            double[] gaps = new double[199];
            for (int i = 0; i < 199; i++) gaps[i] = (t[i + 2] - t[i + 1]) / 1e6;
            double mean = Arrays.stream(gaps).average().orElseThrow();
            double sd = Math.sqrt(Arrays.stream(gaps).map(g -> (g - mean) * (g - mean)).sum() / (gaps.length - 1));
            assertEquals(20, mean, 4 * 20 / Math.sqrt(199), "mean gap, ms");
            assertEquals(1, sd / mean, 0.3, "coefficient of variation");
            Arrays.sort(gaps);
            double d = 0;
            for (int i = 0; i < gaps.length; i++) {
                double cdf = 1 - Math.exp(-gaps[i] / 20);
                d = Math.max(d, Math.max(Math.abs(cdf - (double) i / gaps.length), Math.abs(cdf - (i + 1.0) / gaps.length)));
            }
            assertTrue(d < 1.63 / Math.sqrt(199), "Kolmogorov–Smirnov distance " + d);
            // about 200 / 50 = 4 s of arrivals, and nothing waited for a slot
            assertEquals(4, (t[200] - t[1]) / 1e9, 1.2);
        }
    }

    @Test
    void infiniteRateSendsEverythingAtOnceAndConcurrencyCapsIt() throws Exception {
        try (SseStub stub = new SseStub(100, 5, 3)) {
            JsonNode r = bench(stub, Files.createTempFile("bench", ".json"), "--num-prompts", "12", "--output-len", "3", "--request-rate", "inf");
            assertEquals("inf", r.get("request_rate").asText());
            assertTrue(r.get("max_concurrency").isNull());
            long[] t = stub.accepted.stream().mapToLong(Long::longValue).sorted().toArray();
            assertTrue((t[12] - t[1]) / 1e6 < 80, "all 12 sent before the first one answered: " + (t[12] - t[1]) / 1e6 + " ms");
        }
        try (SseStub stub = new SseStub(100, 5, 3)) {
            bench(stub, Files.createTempFile("bench", ".json"), "--num-prompts", "6", "--output-len", "3", "--max-concurrency", "2");
            long[] t = stub.accepted.stream().mapToLong(Long::longValue).sorted().toArray();
            // two at a time, each taking 110 ms: the 3rd and 5th start a whole request after the 1st and 3rd
            assertTrue((t[3] - t[1]) / 1e6 >= 105 && (t[5] - t[3]) / 1e6 >= 105, Arrays.toString(t));
        }
    }

    /** Every second request is slow to its first token (500 ms against 100 ms): goodput at ttft:300 counts the fast half. */
    @Test
    void goodputCountsTheRequestsMeetingEveryObjective() throws Exception {
        try (SseStub stub = new SseStub(100, 10, 5).slowEverySecond(500)) {
            Path file = Files.createTempFile("bench", ".json");
            JsonNode r = bench(stub, file, "--num-prompts", "8", "--output-len", "5", "--max-concurrency", "1",
                    "--goodput", "ttft:300", "tpot:50", "--metric-percentiles", "50,90,99");
            double duration = r.get("duration").asDouble();
            long fast = 0;
            for (JsonNode ttft : r.get("ttfts")) if (ttft.asDouble() <= 0.3) fast++;
            assertEquals(4, fast, r.get("ttfts").toString()); // requests 1, 3, 5, 7 of the stub (0 was the test request) are slow
            assertEquals(4 / duration, r.get("request_goodput").asDouble(), 1e-9);
            assertEquals(4 / duration, r.get("request_goodput:").asDouble(), 1e-9);
            assertTrue(r.get("stdout").asText().contains("Request goodput (req/s):"), r.get("stdout").asText());
            // the percentiles asked for, numpy's linear interpolation over the eight TTFTs
            double[] ttfts = new double[8];
            for (int i = 0; i < 8; i++) ttfts[i] = r.get("ttfts").get(i).asDouble() * 1000;
            Arrays.sort(ttfts);
            assertEquals(BenchMetrics.percentile(ttfts, 90), r.get("p90_ttft_ms").asDouble(), 1e-9);
            assertEquals(ttfts[3] + 0.5 * (ttfts[4] - ttfts[3]), r.get("p50_ttft_ms").asDouble(), 1e-9);
            assertTrue(r.has("p99_itl_ms") && r.has("p90_e2el_ms"));
            assertTrue(r.get("stdout").asText().contains("P90 TPOT (ms):"), r.get("stdout").asText());

            r = bench(stub, file, "--num-prompts", "8", "--output-len", "5", "--max-concurrency", "1", "--goodput", "tpot:1");
            assertEquals(0, r.get("request_goodput").asDouble()); // every TPOT is about 10 ms
            r = bench(stub, file, "--num-prompts", "4", "--output-len", "5", "--max-concurrency", "1");
            assertTrue(r.get("request_goodput").isNull());
            assertFalse(r.get("stdout").asText().contains("goodput"));
        }
    }

    @Test
    void maxDurationBoundsTheRun() throws Exception {
        try (SseStub stub = new SseStub(200, 20, 10)) { // 380 ms a request
            long start = System.nanoTime();
            JsonNode r = bench(stub, Files.createTempFile("bench", ".json"), "--num-prompts", "20", "--output-len", "10",
                    "--max-concurrency", "1", "--max-duration", "1");
            double took = (System.nanoTime() - start) / 1e9;
            assertTrue(took < 3, "took " + took + " s");
            int sent = r.get("completed").asInt() + r.get("failed").asInt();
            assertTrue(sent >= 2 && sent <= 4, r.toString());
            assertEquals(20, r.get("num_prompts").asInt());
            assertTrue(r.get("errors").toString().contains("cut at --max-duration"), r.get("errors").toString());
        }
    }

    @Test
    void shareGptPromptsAndOutputLengths() throws Exception {
        Path data = Files.createTempFile("sharegpt", ".json");
        Files.writeString(data, """
                [{"id": "a", "conversations": [{"from": "human", "value": "Tell me about the history of the Roman empire please."},
                                               {"from": "gpt", "value": "The Roman empire grew from a small city state into a large empire."}]},
                 {"id": "b", "conversations": [{"from": "human", "value": "Hi"}, {"from": "gpt", "value": "Hello there, how can I help you today?"}]},
                 {"id": "c", "conversations": [{"from": "human", "value": "Only one turn here, so it is skipped."}]},
                 {"id": "d", "conversations": [{"from": "human", "value": "Write a haiku about autumn leaves falling down."},
                                               {"from": "gpt", "value": "Red leaves drift and fall, the quiet wind carries them, autumn says goodbye."}]}]""");
        Path tokenizerDir = Path.of("/work/shared/tokenizers/qwen2.5");
        Tokenizer tok = Tokenizer.load(tokenizerDir);
        List<ServeDataset.BenchRequest> reqs = ServeDataset.sharegpt(data, tok, null, 2, 0);
        // "b" has a 1-token prompt (under 4) and "c" one turn: a and d remain, in seeded order
        assertEquals(2, reqs.size());
        for (ServeDataset.BenchRequest q : reqs) {
            String prompt = q.prompt().asText();
            assertTrue(prompt.startsWith("Tell me") || prompt.startsWith("Write a haiku"), prompt);
            assertEquals(tok.encode(prompt, true).length, q.inputLen());
            String completion = prompt.startsWith("Tell") ? "The Roman empire grew from a small city state into a large empire."
                    : "Red leaves drift and fall, the quiet wind carries them, autumn says goodbye.";
            assertEquals(tok.encode(completion, false).length, q.outputLen());
        }
        assertEquals(List.of(7, 7), ServeDataset.sharegpt(data, tok, 7, 2, 0).stream().map(ServeDataset.BenchRequest::outputLen).toList());
        assertThrows(dev.pagoda.PagodaException.class, () -> ServeDataset.sharegpt(data, tok, null, 3, 0));

        try (SseStub stub = new SseStub(5, 2, 3)) {
            JsonNode r = bench(stub, Files.createTempFile("bench", ".json"), "--dataset-name", "sharegpt", "--dataset-path", data.toString(),
                    "--tokenizer", tokenizerDir.toString(), "--num-prompts", "2");
            assertEquals(2, r.get("completed").asInt());
            assertEquals(reqs.stream().mapToInt(ServeDataset.BenchRequest::inputLen).sum(), r.get("total_input_tokens").asInt());
            JsonNode body = JSON.readTree(stub.bodies.getLast());
            assertTrue(body.get("prompt").isTextual());
            int expected = reqs.stream().filter(q -> q.prompt().asText().equals(body.get("prompt").asText())).findFirst().orElseThrow().outputLen();
            assertEquals(expected, body.get("max_tokens").asInt());
        }
    }

    @Test
    void goodputTakesSeveralWordsAndChecksThem() {
        assertArrayEquals(new String[]{"--goodput", "ttft:500,tpot:50", "--seed", "1"},
                BenchServeCommand.joinGoodput(new String[]{"--goodput", "ttft:500", "tpot:50", "--seed", "1"}));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Goodput.parse("ttft:500,itl:5"));
        assertTrue(e.getMessage().contains("got 'itl:5'"), e.getMessage());
    }

    @Test
    void scheduleIsPoissonOrAllAtOnce() {
        double[] t = ArrivalSchedule.offsets(100_000, 10, 3);
        assertEquals(0, t[0]);
        assertEquals(0.1, t[99_999] / 99_999, 0.1 * 4 / Math.sqrt(99_999)); // mean gap 1/rate within 4 standard errors
        assertArrayEquals(new double[5], ArrivalSchedule.offsets(5, Double.POSITIVE_INFINITY, 3));
    }
}
