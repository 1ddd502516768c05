package dev.pagoda.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pagoda.Log;
import dev.pagoda.PagodaException;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.CorsHandler;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The HTTP server (Vert.x): listens at once so {@code /health} can answer 503 while the model
 * loads, then serves a {@link ModelService} once {@link #ready} is called. Every API handler
 * runs on its own virtual thread, so no request blocks the event loops or the engine.
 */
public final class Server implements AutoCloseable {
    public static final String VERSION = "0.1.0";

    private final ServerConfig config;
    private final Vertx vertx;
    private final HttpServer http;
    private final AtomicInteger active = new AtomicInteger();
    private volatile ModelService model;
    private volatile boolean draining;
    private volatile Handlers handlers;

    private record Handlers(CompletionsApi completions, ChatApi chat, GenerateApi generate, TokenizeApi tokenize) {
    }

    @FunctionalInterface
    private interface Endpoint {
        void handle(Exchange ex) throws Exception;
    }

    public Server(ServerConfig config) {
        this.config = config;
        this.vertx = Vertx.vertx();
        Router router = router();
        this.http = vertx.createHttpServer(new HttpServerOptions().setHost(config.host()).setPort(config.port())
                        .setCompressionSupported(false).setTcpNoDelay(true))
                .requestHandler(router);
        try {
            http.listen().await(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            vertx.close();
            // Usually a port in use (another server, or one still shutting down): the operator's to fix.
            throw new PagodaException("cannot listen on " + config.host() + ":" + config.port() + ": " + e.getMessage()
                    + " (is another server using it? choose another --port)", e);
        }
    }

    /** The port actually bound (useful with --port 0). */
    public int port() {
        return http.actualPort();
    }

    /** Starts serving {@code m}: /health turns 200. */
    public void ready(ModelService m) {
        this.handlers = new Handlers(new CompletionsApi(m), new ChatApi(m), new GenerateApi(m), new TokenizeApi(m));
        this.model = m;
    }

    private Router router() {
        Router r = Router.router(vertx);
        CorsHandler cors = CorsHandler.create().allowedMethods(Set.of(HttpMethod.GET, HttpMethod.POST, HttpMethod.OPTIONS,
                HttpMethod.PUT, HttpMethod.DELETE));
        if (!config.allowedOrigins().contains("*")) cors.addOrigins(config.allowedOrigins());
        r.route().handler(cors);
        r.route().handler(BodyHandler.create(false).setBodyLimit(config.maxBodyBytes()));
        if (config.apiKey() != null) {
            Handler<RoutingContext> auth = this::authenticate;
            r.route("/v1/*").handler(auth);
            r.route("/generate").handler(auth);
        }
        r.get("/health").handler(ctx -> ctx.response().setStatusCode(model != null && !draining && model.healthy() ? 200 : 503).end());
        r.get("/ping").handler(ctx -> ctx.response().setStatusCode(model != null && !draining && model.healthy() ? 200 : 503).end());
        r.get("/version").handler(ctx -> json(ctx, 200, Json.object().put("version", VERSION)));
        r.get("/metrics").handler(this::metrics);
        r.get("/v1/models").handler(this::models);
        r.post("/v1/completions").handler(api(ex -> handlers.completions.handle(ex)));
        r.post("/v1/chat/completions").handler(api(ex -> handlers.chat.handle(ex)));
        r.post("/generate").handler(api(ex -> handlers.generate.handle(ex)));
        r.post("/tokenize").handler(api(ex -> handlers.tokenize.tokenize(ex)));
        r.post("/detokenize").handler(api(ex -> handlers.tokenize.detokenize(ex)));
        for (int status : new int[]{404, 405, 413, 415, 500}) {
            r.errorHandler(status, ctx -> {
                if (ctx.response().ended() || ctx.response().headWritten()) return;
                String message = switch (status) {
                    case 404 -> "Not Found: " + ctx.request().path();
                    case 405 -> "Method Not Allowed: " + ctx.request().method() + " " + ctx.request().path();
                    case 413 -> "The request body is larger than the limit of " + config.maxBodyBytes() + " bytes.";
                    default -> ctx.failure() != null ? String.valueOf(ctx.failure().getMessage()) : "Internal Server Error";
                };
                json(ctx, status, Json.error(status, ApiException.typeFor(status), message, null));
            });
        }
        return r;
    }

    private void authenticate(RoutingContext ctx) {
        if (ctx.request().method() == HttpMethod.OPTIONS) {
            ctx.next();
            return;
        }
        String header = ctx.request().getHeader("Authorization");
        byte[] expected = ("Bearer " + config.apiKey()).getBytes(StandardCharsets.UTF_8);
        if (header != null && MessageDigest.isEqual(header.getBytes(StandardCharsets.UTF_8), expected)) {
            ctx.next();
        } else {
            json(ctx, 401, Json.error(401, ApiException.typeFor(401), "Unauthorized", null));
        }
    }

    private Handler<RoutingContext> api(Endpoint endpoint) {
        return ctx -> {
            if (unavailable(ctx)) return;
            Exchange ex = new Exchange(ctx, config.stallTimeoutMillis());
            active.incrementAndGet();
            Thread.ofVirtual().name("http-" + ctx.request().path()).start(() -> {
                try {
                    endpoint.handle(ex);
                } catch (ApiException e) {
                    if (!ex.started()) ex.error(e);
                    else ex.end();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    ex.end();
                } catch (Exception e) {
                    Log.warn("request " + ctx.request().path() + " failed: " + e);
                    if (Boolean.getBoolean("pagoda.debug")) e.printStackTrace();
                    if (!ex.started()) ex.error(new ApiException(500, "InternalServerError", String.valueOf(e.getMessage()), null));
                    else ex.end();
                } finally {
                    active.decrementAndGet();
                }
            });
        };
    }

    private boolean unavailable(RoutingContext ctx) {
        if (model != null && !draining) return false;
        ctx.response().putHeader("Retry-After", "5");
        json(ctx, 503, Json.error(503, ApiException.typeFor(503), draining ? "The server is shutting down." : "The model is loading.", null));
        return true;
    }

    private void metrics(RoutingContext ctx) {
        if (unavailable(ctx)) return;
        ctx.response().putHeader("Content-Type", ServerMetrics.contentType()).end(model.metrics().scrape());
    }

    private void models(RoutingContext ctx) {
        if (unavailable(ctx)) return;
        ObjectNode o = Json.object();
        o.put("object", "list");
        ArrayNode data = o.putArray("data");
        ObjectNode m = data.addObject();
        m.put("id", model.name());
        m.put("object", "model");
        m.put("created", model.created());
        m.put("owned_by", "pagoda");
        m.put("root", model.root());
        m.putNull("parent");
        m.put("max_model_len", model.maxModelLen());
        json(ctx, 200, o);
    }

    private static void json(RoutingContext ctx, int status, com.fasterxml.jackson.databind.JsonNode body) {
        if (status == 503) ctx.response().putHeader("Retry-After", "5");
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(Json.write(body));
    }

    /** Logs, at debug, the request fields nobody read (accepted and ignored, as vLLM does). */
    static void logUnread(Fields f) {
        List<String> unread = f.unread();
        if (!unread.isEmpty()) Log.debug("The following fields were present in the request but ignored: " + unread);
    }

    /**
     * Stops accepting requests, aborts those in flight (their responses end with finish_reason
     * "abort"), then stops the HTTP server. Does not close the model.
     */
    public void drain() throws InterruptedException {
        draining = true;
        ModelService m = model;
        if (m != null) m.engine().close();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (active.get() > 0 && System.nanoTime() < deadline) Thread.sleep(10);
    }

    @Override
    public void close() {
        try {
            http.close().await(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            Log.debug("closing the HTTP server: " + e);
        }
        try {
            vertx.close().await(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            Log.debug("closing Vert.x: " + e);
        }
    }
}
