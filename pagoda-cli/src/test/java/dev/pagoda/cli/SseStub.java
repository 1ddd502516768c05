package dev.pagoda.cli;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A scripted SSE server on a plain socket, one thread per connection, its clock started when
 * the connection is accepted. Each response closes its connection.
 */
final class SseStub implements AutoCloseable {
    final ServerSocket socket;
    final Thread acceptor;
    /**
     * Per completion request, when the stub actually did each thing (nanoTime): connection
     * accepted, each token flushed, [DONE] flushed. On a busy machine the stub itself can run late; the
     * benchmark must report what happened, so the test compares it with these times.
     */
    final List<long[]> timelines = Collections.synchronizedList(new ArrayList<>());
    /** When each completion request's connection was accepted (nanoTime), in order. */
    final List<Long> accepted = Collections.synchronizedList(new ArrayList<>());
    /** Each completion request's body, in accept order. */
    final List<String> bodies = Collections.synchronizedList(new ArrayList<>());
    private final int ttftMs, itlMs, tokens;
    /** When positive, every second completion request (the 2nd, 4th, ...) has this TTFT instead. */
    private int slowTtftMs;

    /** First token after {@code ttftMs}, then one every {@code itlMs}, {@code tokens} in all. */
    SseStub(int ttftMs, int itlMs, int tokens) throws IOException {
        this.ttftMs = ttftMs;
        this.itlMs = itlMs;
        this.tokens = tokens;
        socket = new ServerSocket(0, 64, InetAddress.getLoopbackAddress());
        acceptor = Thread.ofPlatform().daemon().start(() -> {
            while (!socket.isClosed()) {
                try {
                    Socket s = socket.accept();
                    long acceptedAt = System.nanoTime();
                    s.setTcpNoDelay(true);
                    Thread.ofPlatform().daemon().start(() -> serve(s, acceptedAt));
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    /** Makes every second completion request slow to its first token. */
    SseStub slowEverySecond(int ttftMs) {
        this.slowTtftMs = ttftMs;
        return this;
    }

    int port() {
        return socket.getLocalPort();
    }

    private void serve(Socket s, long acceptedAt) {
        try (s; InputStream in = new BufferedInputStream(s.getInputStream()); OutputStream out = s.getOutputStream()) {
            String requestLine = readLine(in);
            int contentLength = 0;
            for (String h = readLine(in); !h.isEmpty(); h = readLine(in)) {
                if (h.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) contentLength = Integer.parseInt(h.substring(15).trim());
            }
            byte[] body = in.readNBytes(contentLength);
            // The script's clock starts at accept: handing the connection to a thread and reading
            // the request are part of the server's answer time, as the client sees it.
            long start = acceptedAt;
            if (requestLine.contains("/v1/models")) {
                byte[] b = "{\"object\":\"list\",\"data\":[{\"id\":\"stub\",\"object\":\"model\"}]}".getBytes(StandardCharsets.UTF_8);
                out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + b.length
                        + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(b);
                return;
            }
            int first;
            synchronized (this) {
                accepted.add(acceptedAt);
                bodies.add(new String(body, StandardCharsets.UTF_8));
                first = slowTtftMs > 0 && accepted.size() % 2 == 0 ? slowTtftMs : ttftMs;
            }
            out.write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            long[] timeline = new long[tokens + 2];
            timeline[0] = start;
            for (int i = 0; i < tokens; i++) {
                long due = start + (first + (long) itlMs * i) * 1_000_000;
                for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
                    java.util.concurrent.locks.LockSupport.parkNanos(wait);
                }
                send(out, "{\"choices\":[{\"index\":0,\"text\":\"t" + i + "\"}]}");
                timeline[i + 1] = System.nanoTime();
            }
            send(out, "{\"choices\":[],\"usage\":{\"prompt_tokens\":8,\"completion_tokens\":" + tokens + ",\"total_tokens\":18}}");
            out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            timeline[tokens + 1] = System.nanoTime();
            timelines.add(timeline);
        } catch (IOException ignored) {
            // the client went away
        }
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int c = in.read(); c >= 0 && c != '\n'; c = in.read()) if (c != '\r') sb.append((char) c);
        return sb.toString();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    private static void send(OutputStream out, String json) throws IOException {
        out.write(("data: " + json + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }
}
