package dev.pagoda.cli;

import dev.pagoda.Log;
import dev.pagoda.config.EngineArgs;
import dev.pagoda.server.ModelService;
import dev.pagoda.server.Server;
import dev.pagoda.server.ServerConfig;
import sun.misc.Signal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/**
 * {@code pagoda serve}: the OpenAI-compatible server with vLLM's flags. The port opens first
 * (/health answers 503 while the model loads and warms up); SIGTERM or Ctrl-C stops accepting,
 * aborts the requests in flight and exits with status 0.
 */
final class ServeCommand implements Command {
    private static final String USAGE = """
            usage: pagoda serve [--model PATH] [--host 0.0.0.0] [--port 8000] [--served-model-name NAME]
                                [--api-key KEY] [--chat-template FILE] [--max-num-queued-reqs N]
                                [--allowed-origins '["*"]'] [--max-request-body-bytes N] [--uvicorn-log-level info]
                                [engine flags: --max-num-seqs 128 --max-num-batched-tokens 2048 --max-model-len N ...]
              Online defaults follow vLLM's CPU backend: --max-num-seqs 128, --max-num-batched-tokens 2048.
              Accepted without effect (logged): --trust-remote-code --enforce-eager --disable-async-output-proc
                --disable-log-requests --disable-log-stats --disable-frontend-multiprocessing
                --tensor-parallel-size 1 --pipeline-parallel-size 1 --distributed-executor-backend X
                --num-scheduler-steps N --multi-step-stream-outputs B --swap-space N --seed N""";

    private static final Set<String> NO_OP_SWITCHES = Set.of("--trust-remote-code", "--enforce-eager",
            "--disable-async-output-proc", "--disable-log-requests", "--disable-log-stats", "--disable-frontend-multiprocessing");
    private static final List<String> NO_OP_VALUES = List.of("--distributed-executor-backend", "--num-scheduler-steps",
            "--multi-step-stream-outputs", "--swap-space", "--seed");

    @Override
    public String summary() {
        return "serve a model over vLLM's OpenAI-compatible HTTP API";
    }

    @Override
    public int run(String[] argv) throws Exception {
        Set<String> switches = new java.util.HashSet<>(NO_OP_SWITCHES);
        switches.addAll(Set.of("--help", "--debug", "--enable-chunked-prefill", "--enable-prefix-caching"));
        CliArgs a = new CliArgs(argv, switches);
        if (a.takeSwitch("--help")) {
            System.out.println(USAGE);
            return 0;
        }
        if (a.takeSwitch("--debug")) System.setProperty("pagoda.debug", "true");
        ServerConfig config = serverConfig(a);
        EngineArgs engineArgs = new EngineArgs();
        engineArgs.maxNumSeqs = 128;
        engineArgs.maxNumBatchedTokens = 2048;
        a.applyEngineFlags(engineArgs);
        if (engineArgs.servedModelName != null) config = config.withServedModelName(engineArgs.servedModelName);
        return serve(config, engineArgs);
    }

    static ServerConfig serverConfig(CliArgs a) {
        ServerConfig c = ServerConfig.defaults();
        String host = a.take("--host");
        if (host != null) c = c.withHost(host);
        Integer port = a.takeInt("--port");
        if (port != null) {
            if (port < 0 || port > 65535) throw new IllegalArgumentException("--port must be in [0, 65535], got " + port);
            c = c.withPort(port);
        }
        String key = a.take("--api-key");
        if (key == null) key = System.getenv("VLLM_API_KEY");
        if (key != null && !key.isEmpty()) c = c.withApiKey(key);
        String template = a.take("--chat-template");
        if (template != null) c = c.withChatTemplate(Path.of(template));
        Integer queued = a.takeInt("--max-num-queued-reqs");
        if (queued != null) {
            if (queued < 0) throw new IllegalArgumentException("--max-num-queued-reqs must be at least 0, got " + queued);
            c = c.withMaxNumQueuedReqs(queued);
        }
        String origins = a.take("--allowed-origins");
        if (origins != null) c = c.withAllowedOrigins(origins(origins));
        Long body = a.takeLong("--max-request-body-bytes");
        if (body != null) {
            if (body < 1) throw new IllegalArgumentException("--max-request-body-bytes must be at least 1, got " + body);
            c = c.withMaxBodyBytes(body);
        }
        String level = a.take("--uvicorn-log-level");
        if (level != null) {
            if (!Set.of("critical", "error", "warning", "info", "debug", "trace").contains(level)) {
                throw new IllegalArgumentException("--uvicorn-log-level must be one of critical, error, warning, info, debug, trace; got '" + level + "'");
            }
            if (level.equals("debug") || level.equals("trace")) System.setProperty("pagoda.debug", "true");
        }
        for (String flag : List.of("--tensor-parallel-size", "--pipeline-parallel-size")) {
            String v = a.take(flag);
            if (v != null && !v.equals("1")) throw new IllegalArgumentException(flag + " " + v + ": Pagoda runs one model on one process; only 1 is supported");
            if (v != null) Log.info(flag + " 1 accepted (no effect)");
        }
        for (String flag : NO_OP_SWITCHES) if (a.takeSwitch(flag)) Log.info(flag + " accepted (no effect in Pagoda)");
        for (String flag : NO_OP_VALUES) {
            String v = a.take(flag);
            if (v != null) Log.info(flag + " " + v + " accepted (no effect in Pagoda" + (flag.equals("--num-scheduler-steps")
                    ? ": multi-step scheduling was removed from vLLM; every step is scheduled" : "") + ")");
        }
        return c;
    }

    /** vLLM takes a JSON list ('["*"]'); a comma-separated list is accepted too. */
    static List<String> origins(String v) {
        String s = v.trim();
        if (s.startsWith("[")) s = s.substring(1, s.endsWith("]") ? s.length() - 1 : s.length());
        List<String> out = new ArrayList<>();
        for (String part : s.split(",")) {
            String o = part.trim().replaceAll("^[\"']|[\"']$", "");
            if (!o.isEmpty()) out.add(o);
        }
        if (out.isEmpty()) throw new IllegalArgumentException("--allowed-origins needs at least one origin, got '" + v + "'");
        return out;
    }

    private static int serve(ServerConfig config, EngineArgs engineArgs) throws InterruptedException {
        CountDownLatch stop = new CountDownLatch(1);
        for (String sig : Arrays.asList("TERM", "INT")) Signal.handle(new Signal(sig), s -> stop.countDown());
        Server server = new Server(config);
        String url = "http://" + config.host() + ":" + server.port();
        Log.info("listening on " + url + " (/health answers 503 until the model is loaded and warmed up)");
        ModelService model;
        try {
            model = new ModelService(engineArgs, config);
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
        server.ready(model);
        Log.info("serving model '" + model.name() + "' at " + url + "  (POST /v1/completions, /v1/chat/completions, /generate; "
                + "GET /v1/models, /health, /metrics)");
        stop.await();
        Log.info("shutting down: no new requests; aborting the requests in flight");
        server.drain();
        server.close();
        model.close();
        Log.info("stopped");
        return 0;
    }
}
