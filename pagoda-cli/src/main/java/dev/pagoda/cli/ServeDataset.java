package dev.pagoda.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.pagoda.PagodaException;
import dev.pagoda.tokenizer.Tokenizer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/** The serving benchmark's requests: a prompt (text or token ids) and the lengths vLLM's benchmark records for it. */
final class ServeDataset {
    private static final ObjectMapper JSON = new ObjectMapper();

    record BenchRequest(JsonNode prompt, int inputLen, int outputLen) {
    }

    private ServeDataset() {
    }

    /** Random prompts: token ids of exactly inputLen (never special or EOS) with a tokenizer, else inputLen one-letter words. */
    static List<BenchRequest> random(Tokenizer tokenizer, int inputLen, int outputLen, int n, long seed) {
        Random rnd = new Random(seed);
        List<BenchRequest> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (tokenizer != null) {
                ArrayNode ids = JSON.createArrayNode();
                while (ids.size() < inputLen) {
                    int id = rnd.nextInt(tokenizer.vocabSize());
                    if (!tokenizer.isSpecial(id) && !tokenizer.eosTokenIds().contains(id)) ids.add(id);
                }
                out.add(new BenchRequest(ids, inputLen, outputLen));
            } else {
                StringBuilder sb = new StringBuilder();
                for (int w = 0; w < inputLen; w++) sb.append(w == 0 ? "" : " ").append((char) ('a' + rnd.nextInt(26)));
                out.add(new BenchRequest(JSON.getNodeFactory().textNode(sb.toString()), inputLen, outputLen));
            }
        }
        return out;
    }

    /**
     * ShareGPT conversations, sampled as vLLM's benchmark does: conversations with at least two
     * turns, shuffled with the seed; the first turn is the prompt and the second's token count the
     * output length (unless {@code fixedOutputLen}); pairs with a prompt or output under 4 tokens,
     * a prompt over 1024 or a total over 2048 are skipped.
     */
    static List<BenchRequest> sharegpt(Path file, Tokenizer tokenizer, Integer fixedOutputLen, int n, long seed) {
        if (tokenizer == null) throw new IllegalArgumentException("--dataset-name sharegpt needs --tokenizer DIR to count prompt and output tokens");
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new PagodaException(file + ": cannot read the ShareGPT dataset: " + e.getMessage().lines().findFirst().orElse(""), e);
        }
        if (root == null || !root.isArray()) throw new PagodaException(file + ": a ShareGPT dataset is a JSON list of {\"conversations\": [...]}");
        List<String[]> pairs = new ArrayList<>();
        for (JsonNode entry : root) {
            JsonNode turns = entry.path("conversations");
            if (turns.isArray() && turns.size() >= 2) pairs.add(new String[]{turns.get(0).path("value").asText(""), turns.get(1).path("value").asText("")});
        }
        Collections.shuffle(pairs, new Random(seed));
        List<BenchRequest> out = new ArrayList<>();
        for (String[] pair : pairs) {
            if (out.size() == n) break;
            int promptLen = tokenizer.encode(pair[0], true).length;
            int outputLen = fixedOutputLen != null ? fixedOutputLen : tokenizer.encode(pair[1], false).length;
            if (promptLen < 4 || (fixedOutputLen == null && outputLen < 4)) continue;
            if (promptLen > 1024 || promptLen + outputLen > 2048) continue;
            out.add(new BenchRequest(JSON.getNodeFactory().textNode(pair[0]), promptLen, outputLen));
        }
        if (out.size() < n) throw new PagodaException(file + ": only " + out.size() + " usable conversations for --num-prompts " + n);
        return out;
    }
}
