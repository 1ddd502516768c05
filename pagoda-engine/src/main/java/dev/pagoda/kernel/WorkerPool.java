package dev.pagoda.kernel;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed pool of compute threads for data-parallel loops. The calling thread (the engine
 * thread) is worker 0; the others wait for work by spinning briefly and then parking, so that
 * on a small machine they give the CPU back to HTTP threads between steps.
 *
 * <p>{@link #parallelFor} splits work statically: worker w of W takes [n·w/W, n·(w+1)/W).
 * {@link #parallelForBalanced} lets the workers claim chunks as they go, for loops whose halves
 * can take unequal times. Which worker computes an element never changes how it is computed, so
 * results do not depend on the thread count or the split.
 */
public final class WorkerPool implements AutoCloseable {
    /** A loop body over a range of indices, run by one worker. */
    @FunctionalInterface
    public interface RangeTask {
        void run(int worker, int start, int end);
    }

    /**
     * How long a waiting thread spins before it parks. Waking a parked thread took 70–85 µs on
     * the test VM, so spinning must outlast the gaps between the loops of a forward pass and
     * between decode steps (a spin of 2,000 pauses, about 54 µs there, parked the worker in one
     * loop of ten during decode); short enough to give the core back to HTTP threads when idle.
     */
    private static final long SPIN_NANOS = 1_000_000;

    private final int size;
    private final Thread[] threads;
    private final AtomicInteger remaining = new AtomicInteger();
    private volatile long generation;
    private volatile boolean closed;
    private volatile RangeTask task;
    private volatile int taskSize;
    /** Whether the current loop is claimed in chunks (balanced) or split statically. */
    private volatile boolean balanced;
    /** The next unclaimed index of a balanced loop. */
    private final AtomicInteger nextIndex = new AtomicInteger();
    private volatile Throwable failure;
    private volatile Thread caller;

    public WorkerPool(int size) {
        if (size < 1) throw new IllegalArgumentException("--num-threads must be at least 1, got " + size);
        this.size = size;
        this.threads = new Thread[size - 1];
        for (int w = 1; w < size; w++) {
            int worker = w;
            threads[w - 1] = Thread.ofPlatform().daemon().name("pagoda-worker-" + w).start(() -> loop(worker));
        }
    }

    public int size() {
        return size;
    }

    /**
     * Below this many multiply-adds a loop runs on the calling thread alone: waking the workers
     * costs more than it saves (a tiny model's 64×64 matrices, say).
     */
    public static final long MIN_PARALLEL_WORK = 1 << 16;

    /** Runs {@code task} over [0, n), in parallel only if {@code work} (multiply-adds, roughly) is worth it. */
    public void parallelFor(int n, long work, RangeTask task) {
        if (work < MIN_PARALLEL_WORK) task.run(0, 0, n);
        else parallelFor(n, task);
    }

    /** Runs {@code task} over [0, n) on all workers and returns when every range is done. */
    public void parallelFor(int n, RangeTask task) {
        run(n, task, false);
    }

    /**
     * As {@link #parallelFor(int, long, RangeTask)}, but the workers claim chunks of [0, n) as
     * they go, each a share of what is left (large first, single indices at the end), so a worker
     * slowed down for a while (a busy core, a late wake-up) does less of the loop instead of
     * holding up the rest. A worker's task may run several ranges.
     */
    public void parallelForBalanced(int n, long work, RangeTask task) {
        if (work < MIN_PARALLEL_WORK) task.run(0, 0, n);
        else run(n, task, true);
    }

    private void run(int n, RangeTask task, boolean balanced) {
        if (size == 1 || n <= 1) {
            task.run(0, 0, n);
            return;
        }
        this.task = task;
        this.taskSize = n;
        this.balanced = balanced;
        nextIndex.set(0);
        this.failure = null;
        caller = Thread.currentThread();
        remaining.set(size - 1);
        generation++; // publishes task and taskSize to the workers
        for (Thread t : threads) LockSupport.unpark(t);
        try {
            runRange(task, 0, n);
        } catch (Throwable t) {
            failure = t; // thrown below, once no worker is still running this loop
        }
        long waitStart = System.nanoTime();
        while (remaining.get() > 0) {
            if (System.nanoTime() - waitStart > SPIN_NANOS) LockSupport.parkNanos(50_000);
            else Thread.onSpinWait();
        }
        this.task = null;
        Throwable f = failure;
        if (f != null) {
            if (f instanceof RuntimeException re) throw re;
            if (f instanceof Error err) throw err;
            throw new RuntimeException(f);
        }
    }

    private void runRange(RangeTask t, int worker, int n) {
        if (balanced) {
            runClaimed(t, worker, n);
            return;
        }
        long start = (long) n * worker / size;
        long end = (long) n * (worker + 1) / size;
        if (start < end) t.run(worker, (int) start, (int) end);
    }

    /** Claims and runs chunks of [0, n) until none is left: each a 1/(2W) share of the rest, at least one index. */
    private void runClaimed(RangeTask t, int worker, int n) {
        while (true) {
            int start = nextIndex.get();
            if (start >= n) return;
            int end = start + Math.max(1, (n - start) / (2 * size));
            if (nextIndex.compareAndSet(start, end)) t.run(worker, start, end);
        }
    }

    private void loop(int worker) {
        long seen = 0;
        while (!closed) {
            long waitStart = System.nanoTime();
            while (generation == seen && !closed) {
                if (System.nanoTime() - waitStart > SPIN_NANOS) LockSupport.park(this);
                else Thread.onSpinWait();
            }
            if (closed) return;
            seen = generation;
            try {
                runRange(task, worker, taskSize);
            } catch (Throwable t) {
                failure = t;
            } finally {
                if (remaining.decrementAndGet() == 0) LockSupport.unpark(caller);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Thread t : threads) LockSupport.unpark(t);
    }
}
