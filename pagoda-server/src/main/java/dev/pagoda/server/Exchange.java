package dev.pagoda.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * One HTTP exchange, driven from a virtual thread: the handler may block (waiting for the
 * engine) while every write runs on the connection's Vert.x event loop. Streams are bounded: when
 * the client stops reading, at most {@link #MAX_PENDING_BYTES} wait in the write queue, the
 * handler stops pulling outputs (the engine's stream coalesces them), and after the stall timeout
 * the exchange gives up.
 */
public final class Exchange {
    static final long MAX_PENDING_BYTES = 256 * 1024;

    private final RoutingContext ctx;
    private final Context context;
    private final HttpServerResponse response;
    private final long stallTimeoutNanos;
    private final AtomicLong pending = new AtomicLong();
    private volatile boolean closed;
    private volatile Runnable onClose = () -> { };
    private volatile Thread waiter;
    private boolean started;

    /** Must be created on the event loop. */
    public Exchange(RoutingContext ctx, long stallTimeoutMillis) {
        this.ctx = ctx;
        this.context = ctx.vertx().getOrCreateContext();
        this.response = ctx.response();
        this.stallTimeoutNanos = stallTimeoutMillis * 1_000_000;
        response.closeHandler(v -> {
            closed = true;
            onClose.run();
            wake();
        });
    }

    /** The body parsed as JSON; malformed JSON is a 400. */
    public JsonNode jsonBody() {
        Buffer b = ctx.body().buffer();
        if (b == null || b.length() == 0) throw ApiException.badRequest("The request body is empty: a JSON object is expected.", null);
        try {
            return Json.MAPPER.readTree(b.getBytes());
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("The request body is not valid JSON: " + e.getOriginalMessage(), null);
        } catch (java.io.IOException e) {
            throw ApiException.badRequest("The request body cannot be read: " + e.getMessage(), null);
        }
    }

    /** Runs when the client disconnects before the response has ended. */
    public void onClose(Runnable r) {
        onClose = r;
        if (closed) r.run();
    }

    public boolean closed() {
        return closed;
    }

    public boolean started() {
        return started;
    }

    public void json(int status, JsonNode body) {
        String text = Json.write(body);
        started = true;
        context.runOnContext(v -> {
            if (!response.ended() && !response.closed()) {
                if (status == 503) response.putHeader("Retry-After", "1");
                response.setStatusCode(status).putHeader("Content-Type", "application/json").end(text);
            }
        });
    }

    public void error(ApiException e) {
        json(e.status, Json.error(e));
    }

    /** Starts a chunked response (SSE or JSON lines). */
    public void startStream(String contentType) {
        started = true;
        context.runOnContext(v -> {
            if (response.closed()) return;
            response.setStatusCode(200).setChunked(true).putHeader("Content-Type", contentType)
                    .putHeader("Cache-Control", "no-cache").putHeader("Connection", "keep-alive");
            response.writeHead(); // a request still waiting for the engine is visibly accepted
        });
    }

    /**
     * Queues one piece of a stream; first waits while the write queue is full. Returns false when
     * the client has gone or stopped reading for longer than the stall timeout (then the
     * connection is closed).
     */
    public boolean send(String chunk) {
        if (!awaitWritable()) return false;
        Buffer data = Buffer.buffer(chunk);
        pending.addAndGet(data.length());
        context.runOnContext(v -> {
            if (response.closed() || response.ended()) {
                release(data.length());
                return;
            }
            response.write(data).onComplete(r -> release(data.length()));
        });
        return !closed;
    }

    private void release(long bytes) {
        pending.addAndGet(-bytes);
        wake();
    }

    private void wake() {
        Thread t = waiter;
        if (t != null) LockSupport.unpark(t);
    }

    private boolean awaitWritable() {
        long deadline = System.nanoTime() + stallTimeoutNanos;
        waiter = Thread.currentThread();
        try {
            while (!closed && pending.get() > MAX_PENDING_BYTES) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    context.runOnContext(v -> response.reset());
                    closed = true;
                    onClose.run();
                    return false;
                }
                LockSupport.parkNanos(this, Math.min(left, 100_000_000));
            }
            return !closed;
        } finally {
            waiter = null;
        }
    }

    /** Ends a stream. */
    public void end() {
        context.runOnContext(v -> {
            if (!response.ended() && !response.closed()) response.end();
        });
    }
}
