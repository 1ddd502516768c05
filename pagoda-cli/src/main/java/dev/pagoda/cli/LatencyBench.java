package dev.pagoda.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pagoda.cli.info.SystemInfo;
import dev.pagoda.cli.info.VectorInfo;
import dev.pagoda.cli.latency.LatencyChart;
import dev.pagoda.cli.latency.LatencyReport;
import dev.pagoda.cli.latency.LatencyRunner;
import dev.pagoda.cli.latency.ProcessMemory;
import dev.pagoda.cli.latency.Scenario;
import dev.pagoda.cli.latency.ScenarioResult;
import dev.pagoda.cache.KvCache;
import dev.pagoda.config.EngineArgs;
import dev.pagoda.config.ModelConfig;
import dev.pagoda.engine.LLM;
import dev.pagoda.engine.VectorApiCheck;
import dev.pagoda.model.loader.DType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code pagoda bench latency}: the scenario report operators size a deployment with — TTFT,
 * TPOT, decode and total tokens/s and peak memory for each scenario, written as a Markdown report,
 * a JSON file of every raw figure and an SVG chart.
 */
final class LatencyBench implements Command {
    private static final String USAGE = """
            usage: pagoda bench latency [--model PATH] [--scenarios FILE.json|.yaml] [--warmup 3] [--runs 5]
                                        [--output-dir latency-report] [--max-output-tokens N] [engine flags]
              Six default scenarios (TTFT short/long input, long output, batch 4, batch 8, long context); a file
              replaces them: a list (or {"scenarios": [...]}) of {name, description, prompt, repeat, output_tokens, batch}.
              --max-output-tokens caps every scenario's output length (a quick run). Prefix caching is off unless
              --enable-prefix-caching is given. Writes report.md, latency.json and latency.svg to --output-dir.""";

    @Override
    public String summary() {
        return "scenario report: TTFT, TPOT, tokens/s, peak memory; Markdown, JSON and SVG";
    }

    @Override
    public int run(String[] argv) throws Exception {
        CliArgs a = CliArgs.parse(argv, USAGE);
        if (a == null) return 0; // --help printed the usage
        String file = a.take("--scenarios");
        int warmup = orDefault(a.takeInt("--warmup"), 3);
        int runs = orDefault(a.takeInt("--runs"), 5);
        Path outDir = Path.of(orDefault(a.take("--output-dir"), "latency-report"));
        Integer cap = a.takeInt("--max-output-tokens");
        if (warmup < 0 || runs < 1) throw new IllegalArgumentException("--warmup must be ≥ 0 and --runs ≥ 1");
        List<Scenario> scenarios = file != null ? Scenario.read(Path.of(file)) : Scenario.defaults();
        if (cap != null) scenarios = scenarios.stream().map(s -> s.capOutput(cap)).toList();
        EngineArgs args = new EngineArgs();
        args.enablePrefixCaching = false; // identical prompts would otherwise hit the cache and hide the prefill
        args.maxNumSeqs = scenarios.stream().mapToInt(Scenario::batch).max().orElse(1);
        a.applyEngineFlags(args);
        VectorApiCheck.require();

        Map<String, String> environment = environment(args);
        ProcessMemory.resetPeaks();
        List<ScenarioResult> results = new ArrayList<>();
        Map<String, String> model;
        try (LLM llm = new LLM(args)) {
            model = model(args, llm);
            LatencyRunner runner = new LatencyRunner(llm, System.err);
            for (Scenario s : scenarios) results.add(runner.run(s, warmup, runs));
        }
        environment.put("load average (1, 5, 15 min) at the end", loadAverage());
        write(outDir, environment, model, results, warmup, runs);
        System.out.print(Files.readString(outDir.resolve("report.md")));
        System.out.println("\nwrote " + outDir.resolve("report.md") + ", latency.json and latency.svg");
        return 0;
    }

    private static void write(Path dir, Map<String, String> environment, Map<String, String> model, List<ScenarioResult> results,
                              int warmup, int runs) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("latency.json"), new ObjectMapper().writerWithDefaultPrettyPrinter()
                .writeValueAsString(LatencyReport.json(environment, model, results, warmup, runs)));
        String subtitle = model.get("path") + ", " + model.get("weights") + " — medians, whiskers min–max";
        Files.writeString(dir.resolve("latency.svg"), LatencyChart.svg(results, subtitle));
        Files.writeString(dir.resolve("report.md"), LatencyReport.markdown(environment, model, results, warmup, runs, "latency.svg", "latency.json"));
    }

    private static Map<String, String> environment(EngineArgs args) {
        Map<String, String> e = new LinkedHashMap<>();
        e.put("date", ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
        e.put("CPU", SystemInfo.cpuModel() + ", " + Runtime.getRuntime().availableProcessors() + " logical cores; compute threads " + args.numThreads);
        e.put("memory", String.format(Locale.ROOT, "%.1f GiB total, %.1f GiB available", SystemInfo.meminfo("MemTotal") / GIB,
                SystemInfo.meminfo("MemAvailable") / GIB));
        e.put("JDK", Runtime.version() + " (" + System.getProperty("java.vm.name") + ")");
        e.put("JVM flags", String.join(" ", SystemInfo.jvmFlags()));
        e.put("Vector API", VectorInfo.preferredBits() + "-bit species, " + (VectorInfo.intrinsified() ? "intrinsified" : "NOT intrinsified"));
        e.put("load average (1, 5, 15 min) at the start", loadAverage());
        return e;
    }

    private static Map<String, String> model(EngineArgs args, LLM llm) {
        ModelConfig c = llm.modelConfig();
        Map<String, String> m = new LinkedHashMap<>();
        m.put("path", String.valueOf(args.model != null ? args.model : LLM.bundledModel()));
        m.put("architecture", String.format(Locale.ROOT, "%s, %d layers, hidden %d, %d heads / %d KV heads, %.1fM parameters",
                c.architecture().hfName, c.numLayers(), c.hiddenSize(), c.numHeads(), c.numKvHeads(), c.parameterCount() / 1e6));
        m.put("weights", (args.dtype.equals("auto") ? c.weightDType().toString() : args.dtype) + ", " + LatencyReport.mib(llm.weightBytes()));
        m.put("KV cache", String.format(Locale.ROOT, "%s, %s allocated, block size %d, max-model-len %d, prefix caching %s",
                kvDtype(args, c), LatencyReport.mib(llm.kvCacheBytes()), args.blockSize, llm.maxModelLen(), args.enablePrefixCaching ? "on" : "off"));
        m.put("load time", String.format(Locale.ROOT, "%.2f s", llm.loadSeconds()));
        m.put("memory after load", "RSS " + LatencyReport.mib(ProcessMemory.rss()) + ", peak RSS " + LatencyReport.mib(ProcessMemory.peakRss())
                + ", heap used " + LatencyReport.mib(ProcessMemory.peakHeap()));
        return m;
    }

    private static String kvDtype(EngineArgs args, ModelConfig c) {
        if (!args.kvCacheDtype.equals("auto")) return args.kvCacheDtype;
        return KvCache.autoDType(args.dtype.equals("auto") ? c.weightDType() : DType.parse(args.dtype)).toString();
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + ", " + f[1] + ", " + f[2];
        } catch (IOException e) {
            return "n/a";
        }
    }

    private static final double GIB = 1L << 30;

    private static <T> T orDefault(T v, T d) {
        return v != null ? v : d;
    }
}
