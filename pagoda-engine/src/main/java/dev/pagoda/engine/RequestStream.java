package dev.pagoda.engine;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The outputs of one request, from the engine thread to one consumer. Outputs are cumulative, so
 * the stream keeps only the newest: a slow consumer sees fewer, larger deltas and the engine never
 * blocks or buffers without bound.
 */
public final class RequestStream {
    private final String requestId;
    private final AsyncLLMEngine engine;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition updated = lock.newCondition();
    private RequestOutput latest;
    private long version;
    private long taken;

    RequestStream(String requestId, AsyncLLMEngine engine) {
        this.requestId = requestId;
        this.engine = engine;
    }

    public String requestId() {
        return requestId;
    }

    /** Called by the engine thread: replaces the pending output with a newer one. */
    void publish(RequestOutput output) {
        lock.lock();
        try {
            latest = output;
            version++;
            updated.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits up to {@code timeout} for an output newer than the last one returned; returns null on
     * timeout. After the finished output has been returned, returns it again at once.
     */
    public RequestOutput next(long timeout, TimeUnit unit) throws InterruptedException {
        long nanos = unit.toNanos(timeout);
        lock.lock();
        try {
            while (version == taken && (latest == null || !latest.finished())) {
                if (nanos <= 0) return null;
                nanos = updated.awaitNanos(nanos);
            }
            taken = version;
            return latest;
        } finally {
            lock.unlock();
        }
    }

    /** The final output, waiting as long as it takes. */
    public RequestOutput result() throws InterruptedException {
        RequestOutput o;
        do {
            o = next(1, TimeUnit.HOURS);
        } while (o == null || !o.finished());
        return o;
    }

    /** Gives up on the request (a client went away): the engine aborts it and frees its blocks. */
    public void abort() {
        engine.abort(requestId);
    }
}
