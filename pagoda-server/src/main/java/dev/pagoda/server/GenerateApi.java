package dev.pagoda.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * vLLM's native {@code POST /generate}: {@code prompt}, {@code stream}, and sampling fields at
 * the top level; answers {@code {"text": [prompt + output, ...]}}, streamed as one cumulative JSON
 * object per line. With {@code prompt_logprobs} the answer also carries {@code prompt_logprobs}
 * in vLLM's shape (as its {@code /inference/v1/generate} does; the demo server computes them but
 * drops them); a stream sends them once, on its first line.
 */
final class GenerateApi {
    private final ModelService model;

    GenerateApi(ModelService model) {
        this.model = model;
    }

    void handle(Exchange ex) throws InterruptedException {
        Fields f = new Fields(ex.jsonBody());
        String prompt = f.requiredString("prompt");
        boolean stream = f.bool("stream", false);
        Integer logprobs = f.integer("logprobs");
        if (logprobs != null && logprobs < 0) throw ApiException.badRequest("logprobs must be non-negative or -1, got " + logprobs + ".", "logprobs");
        Sampling sampling = Sampling.read(f, logprobs, model);
        Integer maxTokensField = f.integer("max_tokens");
        int maxTokens = maxTokensField != null ? maxTokensField : 16;
        int[] ids = sampling.truncate(model.tokenizer().encode(prompt, true), model.maxModelLen());
        Sampling.checkContext(ids.length, maxTokens, model.maxModelLen());
        var params = sampling.params(maxTokens);
        Server.logUnread(f);
        List<GenerationRun> runs = new ArrayList<>();
        try {
            runs.add(new GenerationRun(model, "generate-" + UUID.randomUUID(), prompt, ids, params, sampling));
            GenerationRun run = runs.getFirst();
            if (stream) {
                ex.startStream("application/json");
                StringBuilder[] sent = new StringBuilder[run.choices().size()];
                for (int i = 0; i < sent.length; i++) sent[i] = new StringBuilder(prompt);
                boolean[] promptLogprobsSent = {false};
                Streaming.pump(ex, runs, (r, unused) -> {
                    boolean changed = false;
                    for (int i = 0; i < sent.length; i++) {
                        String d = r.choices().get(i).takeDelta();
                        sent[i].append(d);
                        changed |= !d.isEmpty();
                    }
                    boolean withPromptLogprobs = !promptLogprobsSent[0] && r.promptLogprobs() != null;
                    if (!changed && !withPromptLogprobs) return List.of();
                    ObjectNode line = texts(sent);
                    if (withPromptLogprobs) {
                        line.set("prompt_logprobs", LogprobsJson.prompt(r.promptLogprobs()));
                        promptLogprobsSent[0] = true;
                    }
                    return List.of(Json.write(line) + "\n");
                }, e -> Json.write(Json.error(e)) + "\n");
                ex.end();
            } else {
                Streaming.awaitAll(ex, runs);
                StringBuilder[] out = new StringBuilder[run.choices().size()];
                for (int i = 0; i < out.length; i++) out[i] = new StringBuilder(prompt).append(run.choices().get(i).text());
                ObjectNode body = texts(out);
                if (run.promptLogprobs() != null) body.set("prompt_logprobs", LogprobsJson.prompt(run.promptLogprobs()));
                if (!ex.closed()) ex.json(200, body);
            }
        } finally {
            Streaming.closeAll(runs);
        }
    }

    private static ObjectNode texts(StringBuilder[] texts) {
        ObjectNode o = Json.object();
        ArrayNode a = o.putArray("text");
        for (StringBuilder t : texts) a.add(t.toString());
        return o;
    }
}
