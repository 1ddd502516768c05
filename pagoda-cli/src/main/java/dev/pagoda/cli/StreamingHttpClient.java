package dev.pagoda.cli;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A minimal HTTP/1.1 client for the serving benchmark: one request per connection, the response
 * body handed over line by line as bytes arrive (chunked or not). Written on a plain socket so
 * that nothing — no client thread pool, no buffering stage — sits between the network and the
 * clock that measures TTFT and ITL (the JDK's HttpClient added about 10 ms to every request on
 * this machine). Plain {@code http://} only.
 */
final class StreamingHttpClient {
    /** Receives the status and then each line of the body. */
    interface LineHandler {
        /** @return false to stop reading */
        boolean line(String line) throws IOException;
    }

    private final String host;
    private final int port;

    StreamingHttpClient(String baseUrl) {
        URI uri = URI.create(baseUrl);
        if (!"http".equals(uri.getScheme()) || uri.getHost() == null) {
            throw new IllegalArgumentException("--base-url must be an http:// URL, got '" + baseUrl + "'");
        }
        this.host = uri.getHost();
        this.port = uri.getPort() > 0 ? uri.getPort() : 80;
    }

    /** Sends the request; returns the status code after the handler has seen every body line (or stopped). */
    int exchange(String method, String path, byte[] body, LineHandler handler) throws IOException {
        try (Socket s = new Socket()) {
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress(host, port), 10_000);
            s.setSoTimeout(6 * 60 * 60 * 1000); // as vLLM's benchmark client: a loaded server may take long to answer
            OutputStream out = s.getOutputStream();
            String head = method + " " + path + " HTTP/1.1\r\nHost: " + host + ":" + port + "\r\nAccept: */*\r\nConnection: close\r\n"
                    + (body != null ? "Content-Type: application/json\r\nContent-Length: " + body.length + "\r\n" : "") + "\r\n";
            ByteArrayOutputStream request = new ByteArrayOutputStream();
            request.writeBytes(head.getBytes(StandardCharsets.US_ASCII));
            if (body != null) request.writeBytes(body);
            out.write(request.toByteArray()); // one write: headers and body leave together
            out.flush();
            InputStream in = new BufferedInputStream(s.getInputStream());
            String status = readLine(in);
            if (status == null || !status.startsWith("HTTP/1.")) throw new IOException("not an HTTP response: " + status);
            int code = Integer.parseInt(status.split(" ")[1]);
            boolean chunked = false;
            for (String h = readLine(in); h != null && !h.isEmpty(); h = readLine(in)) {
                String lower = h.toLowerCase(Locale.ROOT);
                if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) chunked = true;
            }
            InputStream content = chunked ? new ChunkedInputStream(in) : in;
            for (String line = readLine(content); line != null; line = readLine(content)) {
                if (!handler.line(line)) break;
            }
            return code;
        }
    }

    /** A line without its CR LF, decoded as UTF-8; null at the end of the stream. */
    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') line.write(c);
        if (c < 0 && line.size() == 0) return null;
        byte[] b = line.toByteArray();
        int n = b.length > 0 && b[b.length - 1] == '\r' ? b.length - 1 : b.length;
        return new String(b, 0, n, StandardCharsets.UTF_8);
    }

    /** Undoes HTTP/1.1 chunked transfer encoding. */
    private static final class ChunkedInputStream extends InputStream {
        private final InputStream in;
        private int remaining;
        private boolean done;

        ChunkedInputStream(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            if (done) return -1;
            if (remaining == 0) {
                String size = readLine(in);
                if (size == null) return -1;
                if (size.isEmpty()) size = readLine(in); // the CR LF that ends the previous chunk
                if (size == null) return -1;
                int semicolon = size.indexOf(';');
                remaining = Integer.parseInt((semicolon >= 0 ? size.substring(0, semicolon) : size).trim(), 16);
                if (remaining == 0) {
                    done = true;
                    return -1;
                }
            }
            int c = in.read();
            if (c >= 0) remaining--;
            return c;
        }
    }
}
