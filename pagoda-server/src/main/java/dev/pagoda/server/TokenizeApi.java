package dev.pagoda.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

/**
 * vLLM's {@code POST /tokenize} (a prompt, or chat messages rendered with the template) and
 * {@code POST /detokenize}.
 */
final class TokenizeApi {
    private final ModelService model;

    TokenizeApi(ModelService model) {
        this.model = model;
    }

    void tokenize(Exchange ex) {
        Fields f = new Fields(ex.jsonBody());
        model.checkModel(f.string("model"));
        int[] ids;
        if (f.has("messages")) {
            String prompt = ChatApi.render(model, f);
            ids = model.tokenizer().encode(prompt, f.bool("add_special_tokens", false));
        } else {
            ids = model.tokenizer().encode(f.requiredString("prompt"), f.bool("add_special_tokens", true));
        }
        Server.logUnread(f);
        ObjectNode o = Json.object();
        o.put("count", ids.length);
        o.put("max_model_len", model.maxModelLen());
        ArrayNode tokens = o.putArray("tokens");
        for (int id : ids) tokens.add(id);
        o.putNull("token_strs");
        ex.json(200, o);
    }

    void detokenize(Exchange ex) {
        Fields f = new Fields(ex.jsonBody());
        model.checkModel(f.string("model"));
        if (!f.has("tokens")) throw Fields.missing("tokens");
        List<Integer> tokens = f.intList("tokens");
        int vocab = model.tokenizer().vocabSize();
        int[] ids = new int[tokens.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = tokens.get(i);
            if (ids[i] < 0 || ids[i] >= vocab) throw ApiException.badRequest("token id " + ids[i] + " is out of vocabulary [0, " + vocab + ").", "tokens");
        }
        Server.logUnread(f);
        ObjectNode o = Json.object();
        o.put("prompt", model.tokenizer().decode(ids, false));
        ex.json(200, o);
    }
}
