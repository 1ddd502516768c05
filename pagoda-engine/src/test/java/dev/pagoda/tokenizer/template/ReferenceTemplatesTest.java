package dev.pagoda.tokenizer.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Every case of shared/reference/chat_templates/*.json: byte-exact output or the exact raised message. */
class ReferenceTemplatesTest {
    static final List<String> MODELS = List.of("qwen3", "qwen2.5", "llama3.2", "mistral-nemo");
    static final ObjectMapper JSON = new ObjectMapper();

    static Path shared() {
        return Path.of(System.getProperty("pagoda.shared", "../../shared"));
    }

    static String templateSource(String model) throws IOException {
        Map<?, ?> config = JSON.readValue(shared().resolve("tokenizers/" + model + "/tokenizer_config.json").toFile(), Map.class);
        return (String) config.get("chat_template");
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> cases(String model) throws IOException {
        Map<String, Object> file = JSON.readValue(shared().resolve("reference/chat_templates/" + model + ".json").toFile(), Map.class);
        return (List<Map<String, Object>>) file.get("cases");
    }

    @TestFactory
    @SuppressWarnings("unchecked")
    Stream<DynamicTest> referenceCases() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (String model : MODELS) {
            ChatTemplate template = ChatTemplate.compile(templateSource(model));
            for (Map<String, Object> c : cases(model)) {
                Map<String, Object> context = (Map<String, Object>) c.get("context");
                tests.add(DynamicTest.dynamicTest(model + "/" + c.get("id"), () -> {
                    if (c.containsKey("error")) {
                        TemplateException e = assertThrows(TemplateException.class, () -> template.render(context));
                        assertEquals(c.get("error"), e.getMessage());
                    } else {
                        assertEquals(c.get("rendered"), template.render(context));
                    }
                }));
            }
        }
        return tests.stream();
    }
}
