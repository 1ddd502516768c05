package dev.pagoda.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pagoda.config.EngineArgs;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/** A real server on a loopback port for one test class, and a small HTTP client for it. */
final class TestServer implements AutoCloseable {
    record Reply(int status, String body, HttpResponse<?> raw) {
        JsonNode json() {
            try {
                return Json.MAPPER.readTree(body);
            } catch (Exception e) {
                throw new AssertionError("not JSON (" + status + "): " + body, e);
            }
        }
    }

    final ModelService model;
    final Server server;
    final String base;
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    private String apiKey;

    private TestServer(ModelService model, Server server) {
        this.model = model;
        this.server = server;
        this.base = "http://127.0.0.1:" + server.port();
    }

    static Path root() {
        return Path.of(System.getProperty("pagoda.root", ".."));
    }

    static Path shared() {
        return Path.of(System.getProperty("pagoda.shared", "../../shared"));
    }

    /** The bundled stories260K. */
    static TestServer bundled(UnaryOperator<ServerConfig> config, java.util.function.Consumer<EngineArgs> engine) {
        System.setProperty("pagoda.home", root().toString());
        EngineArgs args = new EngineArgs();
        args.maxNumSeqs = 128;
        args.maxNumBatchedTokens = 2048;
        args.numThreads = 2;
        args.kvCacheMemory = 256L << 20;
        engine.accept(args);
        return start(args, config.apply(ServerConfig.defaults().withHost("127.0.0.1").withPort(0)));
    }

    static TestServer bundled() {
        return bundled(c -> c, a -> { });
    }

    /** A tiny random-weight Qwen2 fixture whose tokenizer has a chat template. */
    static TestServer qwen2() {
        EngineArgs args = new EngineArgs().model(shared().resolve("models/fixtures/qwen2/hf"));
        args.maxNumSeqs = 16;
        args.numThreads = 2;
        args.kvCacheMemory = 64L << 20;
        return start(args, ServerConfig.defaults().withHost("127.0.0.1").withPort(0).withServedModelName("qwen2-fixture"));
    }

    private static TestServer start(EngineArgs args, ServerConfig config) {
        Server server = new Server(config);
        ModelService model = new ModelService(args, config);
        server.ready(model);
        return new TestServer(model, server);
    }

    TestServer withKey(String key) {
        this.apiKey = key;
        return this;
    }

    HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60));
        if (apiKey != null) b.header("Authorization", "Bearer " + apiKey);
        return b;
    }

    Reply post(String path, String body) {
        return send(request(path).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    Reply post(String path, JsonNode body) {
        return post(path, Json.write(body));
    }

    Reply get(String path) {
        return send(request(path).GET().build());
    }

    Reply send(HttpRequest r) {
        try {
            HttpResponse<String> resp = http.send(r, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Reply(resp.statusCode(), resp.body(), resp);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** The JSON payloads of an SSE stream, up to and including "[DONE]". */
    List<String> stream(String path, JsonNode body) {
        try {
            HttpResponse<java.io.InputStream> resp = http.send(request(path).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(Json.write(body))).build(), HttpResponse.BodyHandlers.ofInputStream());
            if (resp.statusCode() != 200) throw new AssertionError("status " + resp.statusCode() + ": " + new String(resp.body().readAllBytes(), StandardCharsets.UTF_8));
            List<String> events = new ArrayList<>();
            try (BufferedReader in = new BufferedReader(new InputStreamReader(resp.body(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.startsWith("data: ")) events.add(line.substring(6));
                    else if (!line.isEmpty()) throw new AssertionError("unexpected SSE line: " + line);
                }
            }
            return events;
        } catch (java.io.IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /** A metric's value from /metrics (the first sample whose line starts with {@code name}). */
    double metric(String name) {
        for (String line : get("/metrics").body().split("\n")) {
            if (line.startsWith(name + "{") || line.startsWith(name + " ")) return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        }
        throw new AssertionError("no metric " + name);
    }

    @Override
    public void close() throws Exception {
        server.drain();
        server.close();
        model.close();
    }
}
