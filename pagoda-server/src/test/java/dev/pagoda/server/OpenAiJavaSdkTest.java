package dev.pagoda.server;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.ChatModel;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** The official OpenAI Java SDK against the real server (bundled model, a chat template given as --chat-template). */
class OpenAiJavaSdkTest {
    static TestServer s;
    static OpenAIClient client;
    static final String MODEL = "stories";

    @BeforeAll
    static void start() throws Exception {
        Path template = Files.createTempFile("chat", ".jinja");
        Files.writeString(template, "{% for m in messages %}{{ m['content'] }}\n{% endfor %}{% if add_generation_prompt %}Once upon a time{% endif %}");
        s = TestServer.bundled(c -> c.withServedModelName(MODEL).withChatTemplate(template), a -> { });
        client = OpenAIOkHttpClient.builder().baseUrl(s.base + "/v1").apiKey("unused").maxRetries(0).build();
    }

    @AfterAll
    static void stop() throws Exception {
        client.close();
        s.close();
    }

    private static CompletionCreateParams.Builder completion() {
        return CompletionCreateParams.builder().model(MODEL).prompt("Once upon a time").maxTokens(32).temperature(0.0)
                .putAdditionalBodyProperty("ignore_eos", JsonValue.from(true));
    }

    @Test
    void completionsStreamingUsageAndStops() {
        Completion c = client.completions().create(completion().build());
        String text = c.choices().getFirst().text();
        assertEquals(32, c.usage().orElseThrow().completionTokens());
        assertEquals(5, c.usage().orElseThrow().promptTokens());
        StringBuilder streamed = new StringBuilder();
        try (StreamResponse<Completion> st = client.completions().createStreaming(completion().build())) {
            st.stream().forEach(chunk -> chunk.choices().forEach(ch -> streamed.append(ch.text())));
        }
        assertEquals(text, streamed.toString());

        String stop = text.substring(10, 16);
        Completion stopped = client.completions().create(completion().stop(stop).build());
        assertEquals(text.substring(0, 10), stopped.choices().getFirst().text());
        assertEquals("stop", stopped.choices().getFirst().finishReason().asString());
        StringBuilder streamedStop = new StringBuilder();
        try (StreamResponse<Completion> st = client.completions().createStreaming(completion().stop(stop).build())) {
            st.stream().forEach(chunk -> chunk.choices().forEach(ch -> streamedStop.append(ch.text())));
        }
        assertEquals(text.substring(0, 10), streamedStop.toString());
    }

    @Test
    void nSeedsAndLogprobs() {
        CompletionCreateParams p = completion().temperature(0.9).n(3).seed(42L).maxTokens(12).build();
        Completion a = client.completions().create(p), b = client.completions().create(p);
        assertEquals(3, a.choices().size());
        for (int i = 0; i < 3; i++) assertEquals(a.choices().get(i).text(), b.choices().get(i).text());
        Completion lp = client.completions().create(completion().maxTokens(4).logprobs(2L).build());
        var logprobs = lp.choices().getFirst().logprobs().orElseThrow();
        assertEquals(4, logprobs.tokens().orElseThrow().size());
        assertEquals(4, logprobs.tokenLogprobs().orElseThrow().size());
    }

    @Test
    void chatAndChatStreaming() {
        ChatCompletionCreateParams p = ChatCompletionCreateParams.builder().model(ChatModel.of(MODEL)).addUserMessage("Tom had a dog.")
                .maxCompletionTokens(20).temperature(0.0).build();
        ChatCompletion c = client.chat().completions().create(p);
        String text = c.choices().getFirst().message().content().orElseThrow();
        assertFalse(text.isEmpty());
        StringBuilder streamed = new StringBuilder();
        try (StreamResponse<ChatCompletionChunk> st = client.chat().completions().createStreaming(p)) {
            st.stream().forEach(chunk -> chunk.choices().forEach(ch -> ch.delta().content().ifPresent(streamed::append)));
        }
        assertEquals(text, streamed.toString());
    }

    @Test
    void errorsSurfaceTheirTypeAndMessage() {
        NotFoundException nf = assertThrows(NotFoundException.class,
                () -> client.completions().create(completion().model("no-such-model").build()));
        assertEquals(404, nf.statusCode());
        assertTrue(nf.getMessage().contains("The model `no-such-model` does not exist."), nf.getMessage());
        assertEquals("NotFoundError", nf.type().orElseThrow());
        BadRequestException br = assertThrows(BadRequestException.class,
                () -> client.completions().create(completion().temperature(-1.0).build()));
        assertEquals(400, br.statusCode());
        assertTrue(br.getMessage().contains("temperature must be non-negative"), br.getMessage());
        assertEquals("BadRequestError", br.type().orElseThrow());
        assertEquals("temperature", br.param().orElseThrow());
        assertEquals(32, client.completions().create(completion().build()).usage().orElseThrow().completionTokens());
    }
}
