package dev.pagoda.kernel;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
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

    /** No range of the current loop is waiting for this worker (see {@link #assigned}). */
    private static final long TAKEN = -1;

    private final int size;
    private final Thread[] threads;
    /** The current loop's number: the caller writes it last when it starts a loop, publishing the fields below. */
    private volatile long generation;
    private volatile boolean closed;
    private volatile RangeTask task;
    private volatile int taskSize;
    /** Whether the current loop is claimed in chunks (balanced) or split statically. */
    private volatile boolean balanced;
    /**
     * A balanced loop's claims: its generation in the high 32 bits, the next unclaimed index in
     * the low 32. The loop's number in the word means a worker that was away (descheduled) can
     * never claim from a later loop while holding an earlier loop's task: its CAS fails.
     */
    private final AtomicLong claims = new AtomicLong();
    /** Static loops: per worker w ≥ 1 (at w − 1), the generation whose range w has yet to take, or {@link #TAKEN}. */
    private final AtomicLongArray assigned;
    /** Indices of the current loop whose ranges have finished (or failed). The loop ends when all n have. */
    private final AtomicInteger completed = new AtomicInteger();
    private volatile Throwable failure;
    private volatile Thread caller;

    public WorkerPool(int size) {
        this(size, () -> { });
    }

    /** For tests: each worker thread runs {@code beforeWork} before it takes any loop (to hold a worker back). */
    WorkerPool(int size, Runnable beforeWork) {
        if (size < 1) throw new IllegalArgumentException("--num-threads must be at least 1, got " + size);
        this.size = size;
        this.threads = new Thread[size - 1];
        this.assigned = new AtomicLongArray(Math.max(1, size - 1));
        for (int i = 0; i < assigned.length(); i++) assigned.set(i, TAKEN);
        for (int w = 1; w < size; w++) {
            int worker = w;
            threads[w - 1] = Thread.ofPlatform().daemon().name("pagoda-worker-" + w).start(() -> {
                beforeWork.run();
                loop(worker);
            });
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
     * they go, so a worker slowed down for a while (a busy core, a late wake-up) does less of the
     * loop instead of holding up the rest, and one that never got to the loop is not waited for.
     * The first W claims take {@link #FIRST_ROUND} of the loop in equal shares; after that each
     * claim is a 1/(2W) share of what is left, down to single indices. A worker's task may run
     * several ranges.
     */
    public void parallelForBalanced(int n, long work, RangeTask task) {
        if (work < MIN_PARALLEL_WORK) task.run(0, 0, n);
        else run(n, task, true);
    }

    /**
     * Runs a loop and returns once all of its n indices are done — not once every worker has
     * looked at it: a worker that is descheduled while the others claim a whole balanced loop
     * (seen in 0.3% of decode loops on a shared 2-vCPU VM, costing 1.4–1.8 ms each) is not
     * waited for. Order matters: the loop's tags ({@link #claims}, {@link #assigned}) are
     * written before its fields and its generation last, and a worker reads the generation, then
     * the fields, then claims with that generation's tag; if it read any field of a later loop,
     * it sees that loop's tag and its claim fails (all volatile or atomic, so sequentially
     * consistent). No range of a loop runs after the loop returns.
     */
    private void run(int n, RangeTask task, boolean balanced) {
        if (size == 1 || n <= 1) {
            task.run(0, 0, n);
            return;
        }
        long g = generation + 1; // only the calling thread writes generation
        completed.set(0);
        claims.set(balanced ? tagOf(g) : tagOf(g) | n);
        for (int i = 0; i < assigned.length(); i++) assigned.set(i, balanced ? TAKEN : g);
        failure = null;
        caller = Thread.currentThread();
        this.task = task;
        this.taskSize = n;
        this.balanced = balanced;
        generation = g; // publishes the loop to the workers
        for (Thread t : threads) LockSupport.unpark(t);
        runShare(task, 0, n, g, balanced);
        long waitStart = System.nanoTime();
        while (completed.get() < n) {
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

    private static long tagOf(long generation) {
        return generation << 32;
    }

    /** Worker {@code worker}'s part of loop g: its static range if still assigned to it, or chunks it claims. */
    private void runShare(RangeTask t, int worker, int n, long g, boolean isBalanced) {
        if (isBalanced) {
            runClaimed(t, worker, n, g);
            return;
        }
        if (worker > 0 && !assigned.compareAndSet(worker - 1, g, TAKEN)) return; // a later loop's fields
        long start = (long) n * worker / size;
        long end = (long) n * (worker + 1) / size;
        runRange(t, worker, (int) start, (int) end, n);
    }

    /**
     * The part of a balanced loop handed out in W equal first claims. Long first claims matter to
     * memory-bound loops: a decode step's matrix products stream each claim's weight rows, and
     * every claim restarts its streams. With shares of 1/(2W) of the rest from the start, a
     * decode layer's loops took 508, 493, 466 µs (medians, 0.5B Q8_0, three processes) against
     * 483, 473, 472 with this first round, and 571, 593, 498 against 537, 529, 495 on average.
     * The rest still goes in shrinking claims, so a worker that stalls holds up at most its
     * first share.
     */
    static final double FIRST_ROUND = 0.8;

    /** Claims and runs chunks of loop g until none is left (see {@link #parallelForBalanced}). */
    private void runClaimed(RangeTask t, int worker, int n, long g) {
        long tag = tagOf(g);
        int firstShare = (int) (n * FIRST_ROUND / size), firstRound = firstShare * size;
        while (true) {
            long c = claims.get();
            if ((c & 0xFFFF_FFFF_0000_0000L) != tag) return; // loop g is over
            int start = (int) c;
            if (start >= n) return;
            int end = start + (start < firstRound ? firstShare : Math.max(1, (n - start) / (2 * size)));
            if (claims.compareAndSet(c, tag | end)) runRange(t, worker, start, end, n);
        }
    }

    /** Runs [start, end) and counts it done even if it fails (after recording the failure), so the loop always ends. */
    private void runRange(RangeTask t, int worker, int start, int end, int n) {
        if (start >= end) return;
        try {
            t.run(worker, start, end);
        } catch (Throwable e) {
            if (failure == null) failure = e;
        } finally {
            if (completed.addAndGet(end - start) == n && worker > 0) LockSupport.unpark(caller);
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
            RangeTask t = task;
            if (t != null) runShare(t, worker, taskSize, seen, balanced);
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Thread t : threads) LockSupport.unpark(t);
    }
}
