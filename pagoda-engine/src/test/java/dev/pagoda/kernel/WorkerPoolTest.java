package dev.pagoda.kernel;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WorkerPoolTest {

    @Test
    void everyIndexRunsExactlyOnce() {
        try (WorkerPool pool = new WorkerPool(3)) {
            for (int n : new int[]{2, 3, 5, 11, 12, 13, 100, 1001}) {
                AtomicIntegerArray runs = new AtomicIntegerArray(n);
                pool.parallelFor(n, (worker, start, end) -> {
                    for (int i = start; i < end; i++) runs.incrementAndGet(i);
                });
                for (int i = 0; i < n; i++) assertEquals(1, runs.get(i), "index " + i + " of " + n);
            }
        }
    }

    @Test
    void aBalancedLoopRunsEveryIndexExactlyOnce() {
        try (WorkerPool pool = new WorkerPool(3)) {
            for (int n : new int[]{2, 3, 5, 11, 12, 13, 100, 1001}) {
                AtomicIntegerArray runs = new AtomicIntegerArray(n);
                pool.parallelForBalanced(n, WorkerPool.MIN_PARALLEL_WORK, (worker, start, end) -> {
                    for (int i = start; i < end; i++) runs.incrementAndGet(i);
                });
                for (int i = 0; i < n; i++) assertEquals(1, runs.get(i), "index " + i + " of " + n);
            }
        }
    }

    /**
     * A worker that is slowed down holds up at most its first share of a balanced loop: the
     * other takes everything else (a static split would leave it half).
     */
    @Test
    void aBalancedLoopGivesASlowWorkerAtMostItsFirstShare() {
        try (WorkerPool pool = new WorkerPool(2)) {
            int n = 64, firstShare = (int) (n * WorkerPool.FIRST_ROUND / 2);
            AtomicIntegerArray byWorker = new AtomicIntegerArray(2);
            pool.parallelForBalanced(n, WorkerPool.MIN_PARALLEL_WORK, (worker, start, end) -> {
                for (int i = start; i < end; i++) {
                    byWorker.incrementAndGet(worker);
                    if (worker == 1) sleep(5);
                }
            });
            assertEquals(n, byWorker.get(0) + byWorker.get(1));
            assertTrue(byWorker.get(0) >= n - firstShare, "the unslowed worker ran " + byWorker.get(0) + " of " + n);
        }
    }

    /**
     * A balanced loop's first claims are long equal shares (a memory-bound loop streams each
     * claim), the rest shrinking ones: [0, 40) and [40, 80) of 100 on two workers, then at most
     * a quarter of what is left each.
     */
    @Test
    void aBalancedLoopStartsWithLongShares() {
        try (WorkerPool pool = new WorkerPool(2)) {
            java.util.List<int[]> ranges = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
            pool.parallelForBalanced(100, WorkerPool.MIN_PARALLEL_WORK, (worker, start, end) -> ranges.add(new int[]{start, end}));
            ranges.sort(java.util.Comparator.comparingInt(r -> r[0]));
            assertArrayEquals(new int[]{0, 40}, ranges.get(0));
            assertArrayEquals(new int[]{40, 80}, ranges.get(1));
            int covered = 80;
            for (int[] r : ranges.subList(2, ranges.size())) {
                assertEquals(covered, r[0], "ranges must tile the loop");
                assertTrue(r[1] - r[0] <= Math.max(1, (100 - r[0]) / 4), "claim " + java.util.Arrays.toString(r) + " after the first round");
                covered = r[1];
            }
            assertEquals(100, covered);
        }
    }

    /**
     * A balanced loop ends when its indices are done: a worker that has not come to it yet (here
     * held back before its first loop; in production, descheduled) is not waited for, and when
     * it does come, it takes no part of the loops already over, and every later index still runs
     * exactly once.
     */
    @Test
    void aBalancedLoopDoesNotWaitForAnAbsentWorker() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (WorkerPool pool = new WorkerPool(2, () -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        })) {
            AtomicIntegerArray byWorker = new AtomicIntegerArray(2);
            for (int loop = 0; loop < 3; loop++) {
                assertTimeoutPreemptively(Duration.ofSeconds(5), () -> pool.parallelForBalanced(64, WorkerPool.MIN_PARALLEL_WORK,
                        (worker, start, end) -> byWorker.addAndGet(worker, end - start)));
            }
            assertEquals(3 * 64, byWorker.get(0), "the caller ran the loops alone");
            release.countDown();
            sleep(50); // the worker now sees the last loop, already over, and must take nothing from it
            assertEquals(0, byWorker.get(1), "the worker ran part of a loop that was over");
            for (int n : new int[]{2, 13, 64, 1001}) {
                AtomicIntegerArray runs = new AtomicIntegerArray(n);
                pool.parallelForBalanced(n, WorkerPool.MIN_PARALLEL_WORK, (worker, start, end) -> {
                    for (int i = start; i < end; i++) runs.incrementAndGet(i);
                });
                pool.parallelFor(n, (worker, start, end) -> {
                    for (int i = start; i < end; i++) runs.incrementAndGet(i);
                });
                for (int i = 0; i < n; i++) assertEquals(2, runs.get(i), "index " + i + " of " + n);
            }
        }
    }

    /** The loop fails once no worker is still in it, whichever worker failed, and the pool goes on. */
    @Test
    void aFailingRangeFailsTheLoopAfterTheOthersFinish() {
        try (WorkerPool pool = new WorkerPool(2)) {
            for (int failingWorker = 0; failingWorker < 2; failingWorker++) {
                int w = failingWorker;
                AtomicBoolean returned = new AtomicBoolean();
                AtomicBoolean ranAfterReturn = new AtomicBoolean();
                IllegalStateException e = assertThrows(IllegalStateException.class, () -> pool.parallelFor(64, (worker, start, end) -> {
                    try {
                        if (worker == w) throw new IllegalStateException("worker " + w);
                        sleep(200);
                    } finally {
                        if (returned.get()) ranAfterReturn.set(true);
                    }
                }));
                returned.set(true);
                assertEquals("worker " + w, e.getMessage());
                sleep(400);
                assertFalse(ranAfterReturn.get(), "a range still ran after the loop had failed (worker " + w + " failing)");
            }
            AtomicIntegerArray runs = new AtomicIntegerArray(64);
            pool.parallelFor(64, (worker, start, end) -> {
                for (int i = start; i < end; i++) runs.incrementAndGet(i);
            });
            for (int i = 0; i < 64; i++) assertEquals(1, runs.get(i), "after a failure, index " + i);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
