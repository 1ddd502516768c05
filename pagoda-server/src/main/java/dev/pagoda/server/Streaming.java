package dev.pagoda.server;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

/**
 * Drives the engine requests of one API call: waits for their outputs and turns each update into
 * response pieces (SSE events or JSON lines) through a formatter, one virtual thread per request
 * when a call has several prompts; a client that disconnects cancels them all.
 */
final class Streaming {
    private Streaming() {
    }

    /**
     * @param format called after each update of a run (with its index), under a lock shared by all
     *               runs; returns the pieces to send
     * @return false when the client went away or a run failed (the error was sent with {@code onError})
     */
    static boolean pump(Exchange ex, List<GenerationRun> runs, BiFunction<GenerationRun, Integer, List<String>> format,
                        java.util.function.Function<ApiException, String> onError) throws InterruptedException {
        ex.onClose(() -> runs.forEach(GenerationRun::cancel));
        Object lock = new Object();
        boolean[] ok = {true};
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < runs.size(); i++) {
            int index = i;
            Runnable follow = () -> {
                GenerationRun run = runs.get(index);
                try {
                    while (!run.done() && !ex.closed()) {
                        if (!run.poll(200)) continue;
                        synchronized (lock) {
                            if (!ok[0]) return;
                            for (String piece : format.apply(run, index)) {
                                if (!ex.send(piece)) {
                                    ok[0] = false;
                                    runs.forEach(GenerationRun::cancel);
                                    return;
                                }
                            }
                        }
                    }
                } catch (ApiException e) {
                    synchronized (lock) {
                        if (ok[0]) ex.send(onError.apply(e));
                        ok[0] = false;
                    }
                    runs.forEach(GenerationRun::cancel);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            };
            if (runs.size() == 1) follow.run();
            else threads.add(Thread.ofVirtual().name("stream-" + i).start(follow));
        }
        for (Thread t : threads) t.join();
        return ok[0] && !ex.closed();
    }

    /** Waits for every run to end (non-streaming); a client that disconnects cancels them. */
    static void awaitAll(Exchange ex, List<GenerationRun> runs) throws InterruptedException {
        ex.onClose(() -> runs.forEach(GenerationRun::cancel));
        for (GenerationRun r : runs) r.awaitDone();
    }

    static void closeAll(List<GenerationRun> runs) throws InterruptedException {
        for (GenerationRun r : runs) r.close();
    }

    static String sse(String json) {
        return "data: " + json + "\n\n";
    }

    static final String DONE = "data: [DONE]\n\n";
}
