package dev.pagoda.cli;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code pagoda bench <kind>}: the benchmarks. */
final class BenchCommand implements Command {
    private final Map<String, Command> kinds = new LinkedHashMap<>();

    BenchCommand() {
        kinds.put("serve", new BenchServeCommand());
        kinds.put("throughput", new ThroughputBench());
        kinds.put("prefix-cache", new PrefixCacheBench());
        kinds.put("guided", new GuidedBench());
        kinds.put("latency", new LatencyBench());
        kinds.put("kernels", new KernelBench());
    }

    @Override
    public String summary() {
        return "benchmarks: " + String.join(", ", kinds.keySet());
    }

    @Override
    public int run(String[] args) throws Exception {
        Command kind = args.length == 0 ? null : kinds.get(args[0]);
        if (kind == null) {
            System.out.println("usage: pagoda bench <kind> [options]   (pagoda bench <kind> --help)");
            kinds.forEach((name, c) -> System.out.printf("  %-12s %s%n", name, c.summary()));
            return args.length == 0 || args[0].equals("--help") ? 0 : 2;
        }
        return kind.run(Arrays.copyOfRange(args, 1, args.length));
    }
}
