package dev.pagoda.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pagoda.engine.Logprob;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/** Log-probabilities in the two OpenAI shapes: the legacy completions one and the chat one. */
final class LogprobsJson {
    private LogprobsJson() {
    }

    /**
     * Completions: {@code {tokens, token_logprobs, top_logprobs: [{token: logprob}], text_offset}};
     * -inf is sent as -9999.0 as vLLM does.
     */
    static ObjectNode completion(int[] ids, List<Map<Integer, Logprob>> entries, int top, int textOffset) {
        return completion(ids, entries, top, textOffset, null);
    }

    /**
     * As {@link #completion(int[], List, int, int)}, where a null entry (the first prompt token,
     * echoed: it has no log-probability) gives the token's text from {@code decode}, a null
     * logprob and null top_logprobs, as vLLM does.
     */
    static ObjectNode completion(int[] ids, List<Map<Integer, Logprob>> entries, int top, int textOffset, IntFunction<String> decode) {
        ObjectNode o = Json.object();
        ArrayNode tokens = o.putArray("tokens"), lps = o.putArray("token_logprobs"), tops = o.putArray("top_logprobs"),
                offsets = o.putArray("text_offset");
        int offset = textOffset;
        for (int i = 0; i < ids.length && i < entries.size(); i++) {
            if (entries.get(i) == null) {
                String text = decode.apply(ids[i]);
                tokens.add(text);
                lps.addNull();
                tops.addNull();
                offsets.add(offset);
                offset += text.length();
                continue;
            }
            Logprob chosen = entries.get(i).get(ids[i]);
            String text = chosen.decodedToken();
            tokens.add(text);
            lps.add(clamp(chosen.logprob()));
            ObjectNode t = tops.addObject();
            for (Map.Entry<Integer, Logprob> e : ranked(entries.get(i), top)) t.put(e.getValue().decodedToken(), clamp(e.getValue().logprob()));
            offsets.add(offset);
            offset += text.length();
        }
        return o;
    }

    /** Chat: {@code {content: [{token, logprob, bytes, top_logprobs: [{token, logprob, bytes}]}]}}. */
    static ObjectNode chat(int[] ids, List<Map<Integer, Logprob>> entries, int top) {
        ObjectNode o = Json.object();
        ArrayNode content = o.putArray("content");
        for (int i = 0; i < ids.length && i < entries.size(); i++) {
            Logprob chosen = entries.get(i).get(ids[i]);
            ObjectNode c = token(content.addObject(), chosen);
            ArrayNode tops = c.putArray("top_logprobs");
            for (Map.Entry<Integer, Logprob> e : ranked(entries.get(i), top)) token(tops.addObject(), e.getValue());
        }
        return o;
    }

    /**
     * vLLM's {@code prompt_logprobs}: per prompt token null (the first) or
     * {@code {"<token id>": {logprob, rank, decoded_token}}}, the prompt token first, then the top
     * k by rank; -inf as -9999.0 (vLLM's clamp_prompt_logprobs).
     */
    static ArrayNode prompt(List<Map<Integer, Logprob>> entries) {
        ArrayNode a = Json.MAPPER.createArrayNode();
        for (Map<Integer, Logprob> entry : entries) {
            if (entry == null) {
                a.addNull();
                continue;
            }
            ObjectNode o = a.addObject();
            for (Map.Entry<Integer, Logprob> e : entry.entrySet()) {
                ObjectNode lp = o.putObject(Integer.toString(e.getKey()));
                lp.put("logprob", clamp(e.getValue().logprob()));
                lp.put("rank", e.getValue().rank());
                lp.put("decoded_token", e.getValue().decodedToken());
            }
        }
        return a;
    }

    private static ObjectNode token(ObjectNode n, Logprob lp) {
        n.put("token", lp.decodedToken());
        n.put("logprob", clamp(lp.logprob()));
        ArrayNode bytes = n.putArray("bytes");
        for (byte b : lp.decodedToken().getBytes(StandardCharsets.UTF_8)) bytes.add(b & 0xff);
        return n;
    }

    /** The {@code top} most likely entries, most likely first. */
    private static List<Map.Entry<Integer, Logprob>> ranked(Map<Integer, Logprob> entry, int top) {
        List<Map.Entry<Integer, Logprob>> list = new ArrayList<>(entry.entrySet());
        list.sort((a, b) -> Integer.compare(a.getValue().rank(), b.getValue().rank()));
        return list.subList(0, Math.min(top, list.size()));
    }

    private static double clamp(float lp) {
        return Float.isInfinite(lp) ? -9999.0 : lp;
    }
}
