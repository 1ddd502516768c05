package dev.pagoda.server;

import java.nio.file.Path;
import java.util.List;

/**
 * The server's own settings (engine settings are in {@link dev.pagoda.config.EngineArgs}).
 *
 * @param servedModelName   the name clients pass as {@code model}; null: the model path, as vLLM
 * @param apiKey            required as {@code Authorization: Bearer KEY} on /v1/* and /generate; null: open
 * @param chatTemplate      a template file that replaces the model's; null: the model's
 * @param maxNumQueuedReqs  requests that may wait for the engine before new ones get 503
 * @param allowedOrigins    CORS origins ("*" for any)
 * @param maxBodyBytes      larger request bodies get 413
 * @param stallTimeoutMillis a stream whose client reads nothing for this long is aborted
 */
public record ServerConfig(String host, int port, String servedModelName, String apiKey, Path chatTemplate,
                           int maxNumQueuedReqs, List<String> allowedOrigins, long maxBodyBytes, long stallTimeoutMillis) {
    public static ServerConfig defaults() {
        return new ServerConfig("0.0.0.0", 8000, null, null, null, 1024, List.of("*"), 16L << 20, 60_000);
    }

    public ServerConfig withHost(String h) {
        return new ServerConfig(h, port, servedModelName, apiKey, chatTemplate, maxNumQueuedReqs, allowedOrigins, maxBodyBytes, stallTimeoutMillis);
    }

    public ServerConfig withPort(int p) {
        return new ServerConfig(host, p, servedModelName, apiKey, chatTemplate, maxNumQueuedReqs, allowedOrigins, maxBodyBytes, stallTimeoutMillis);
    }

    public ServerConfig withServedModelName(String n) {
        return new ServerConfig(host, port, n, apiKey, chatTemplate, maxNumQueuedReqs, allowedOrigins, maxBodyBytes, stallTimeoutMillis);
    }

    public ServerConfig withApiKey(String k) {
        return new ServerConfig(host, port, servedModelName, k, chatTemplate, maxNumQueuedReqs, allowedOrigins, maxBodyBytes, stallTimeoutMillis);
    }

    public ServerConfig withChatTemplate(Path t) {
        return new ServerConfig(host, port, servedModelName, apiKey, t, maxNumQueuedReqs, allowedOrigins, maxBodyBytes, stallTimeoutMillis);
    }

    public ServerConfig withMaxNumQueuedReqs(int q) {
        return new ServerConfig(host, port, servedModelName, apiKey, chatTemplate, q, allowedOrigins, maxBodyBytes, stallTimeoutMillis);
    }

    public ServerConfig withAllowedOrigins(List<String> o) {
        return new ServerConfig(host, port, servedModelName, apiKey, chatTemplate, maxNumQueuedReqs, List.copyOf(o), maxBodyBytes, stallTimeoutMillis);
    }

    public ServerConfig withMaxBodyBytes(long b) {
        return new ServerConfig(host, port, servedModelName, apiKey, chatTemplate, maxNumQueuedReqs, allowedOrigins, b, stallTimeoutMillis);
    }

    public ServerConfig withStallTimeoutMillis(long t) {
        return new ServerConfig(host, port, servedModelName, apiKey, chatTemplate, maxNumQueuedReqs, allowedOrigins, maxBodyBytes, t);
    }
}
