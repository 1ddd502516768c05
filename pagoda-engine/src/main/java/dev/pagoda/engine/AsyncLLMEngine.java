package dev.pagoda.engine;

import dev.pagoda.Log;
import dev.pagoda.sampling.SamplingParams;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The engine on its own thread (DESIGN rule 4): callers on any thread {@link #submit} requests
 * and read their {@link RequestStream}s; the engine thread alone touches the scheduler and the KV
 * cache, and is compute worker 0. A step that fails fails its requests; the engine goes on. An
 * error outside a step (a bug) fails every request and marks the engine dead.
 */
public final class AsyncLLMEngine implements AutoCloseable {
    private sealed interface Command {
    }

    private record Add(String id, String prompt, int[] tokens, SamplingParams params, RequestStream stream) implements Command {
    }

    private record Abort(String id) implements Command {
    }

    private final LLMEngine engine;
    private final LinkedBlockingQueue<Command> commands = new LinkedBlockingQueue<>();
    private final Map<String, RequestStream> streams = new ConcurrentHashMap<>();
    private final AtomicLong nextId = new AtomicLong();
    private final Thread thread;
    private final Consumer<List<RequestOutput>> stepObserver;
    private volatile boolean running = true;
    private volatile Throwable deathCause;
    private volatile EngineStats stats;

    /**
     * @param stepObserver called on the engine thread with every batch of outputs (a step's, an
     *                     abort's) before any of them reaches its request's stream, so that what
     *                     it records about a request is complete once the request's caller sees
     *                     the final output (for metrics); keep it cheap
     */
    public AsyncLLMEngine(LLMEngine engine, Consumer<List<RequestOutput>> stepObserver) {
        this.engine = engine;
        this.stepObserver = stepObserver;
        this.stats = engine.stats();
        this.thread = Thread.ofPlatform().name("pagoda-engine").start(this::loop);
    }

    public AsyncLLMEngine(LLMEngine engine) {
        this(engine, outputs -> { });
    }

    /**
     * Validates and queues a request. Validation errors (prompt too long, bad sampling values)
     * are thrown here, on the caller's thread, before anything is queued.
     *
     * @param requestId null for a generated id
     */
    public RequestStream submit(String requestId, String prompt, int[] promptTokenIds, SamplingParams params) {
        if (deathCause != null) throw new IllegalStateException("the engine is dead: " + deathCause);
        engine.validate(promptTokenIds, params);
        String id = requestId != null ? requestId : "req-" + nextId.incrementAndGet();
        RequestStream stream = new RequestStream(id, this);
        if (streams.putIfAbsent(id, stream) != null) throw new IllegalArgumentException("request id '" + id + "' is already in use");
        commands.add(new Add(id, prompt, promptTokenIds, params, stream));
        return stream;
    }

    public void abort(String requestId) {
        commands.add(new Abort(requestId));
    }

    /** False once the engine thread has died. */
    public boolean healthy() {
        return deathCause == null && thread.isAlive();
    }

    /** Counters and gauges as of the last step. */
    public EngineStats stats() {
        return stats;
    }

    private void loop() {
        try {
            while (running) {
                Command c = engine.hasUnfinishedRequests() ? commands.poll() : commands.poll(100, TimeUnit.MILLISECONDS);
                while (c != null) {
                    apply(c);
                    c = commands.poll();
                }
                if (!engine.hasUnfinishedRequests()) {
                    stats = engine.stats();
                    continue;
                }
                List<RequestOutput> outputs = engine.step();
                stats = engine.stats();
                publish(outputs);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            deathCause = t;
            Log.warn("engine thread died: " + t);
            t.printStackTrace();
            failEverything(t);
        }
    }

    private void apply(Command c) {
        switch (c) {
            case Add a -> {
                try {
                    engine.addRequest(a.id, a.prompt, a.tokens, a.params);
                } catch (RuntimeException e) {
                    a.stream.publish(LLMEngine.failed(a.id, a.prompt, a.tokens, e.getMessage()));
                    streams.remove(a.id);
                }
            }
            case Abort a -> {
                RequestOutput out = engine.abortRequest(a.id);
                if (out != null) publish(List.of(out));
            }
        }
    }

    private void publish(List<RequestOutput> outputs) {
        stepObserver.accept(outputs);
        for (RequestOutput o : outputs) {
            RequestStream s = o.finished() ? streams.remove(o.requestId()) : streams.get(o.requestId());
            if (s != null) s.publish(o);
        }
    }

    private void failEverything(Throwable cause) {
        for (Map.Entry<String, RequestStream> e : streams.entrySet()) {
            e.getValue().publish(LLMEngine.failed(e.getKey(), null, new int[0], "engine failure: " + cause));
        }
        streams.clear();
    }

    /** Stops the engine thread; requests still running are aborted. Does not close the model. */
    @Override
    public void close() {
        running = false;
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (String id : streams.keySet()) {
            RequestOutput out = engine.abortRequest(id);
            if (out != null) publish(List.of(out));
        }
    }
}
