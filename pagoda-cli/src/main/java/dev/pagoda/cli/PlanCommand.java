package dev.pagoda.cli;

import dev.pagoda.cli.plan.CapacityPlanner;
import dev.pagoda.cli.plan.Catalogue;
import dev.pagoda.cli.plan.ModelSpec;
import dev.pagoda.cli.plan.ModelSpecReader;
import dev.pagoda.cli.plan.Plan;
import dev.pagoda.cli.plan.PlanFormat;
import dev.pagoda.cli.plan.PlanOptions;
import dev.pagoda.config.EngineArgs;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** {@code pagoda plan}: how many devices a model needs and what KV cache is left (capacity planner). */
final class PlanCommand implements Command {
    private static final String USAGE = """
            usage: pagoda plan --model PATH|NAME [--device-memory 64GB] [--devices N|min] [--gpu-memory-utilization 0.9]
                               [--dtype auto|float32|float16|bfloat16] [--quantization fp8|int8|awq|gptq|q8_0|q4_0]
                               [--kv-cache-dtype auto|float32|float16|bfloat16|fp8] [--block-size N] [--max-model-len N]
                               [--overhead-per-device 1.5GiB] [--max-num-seqs 256] [--output markdown|csv|json]
                   pagoda plan --table [--model NAME,NAME,...] [same flags]    one row per model (default: the whole catalogue)
                   pagoda plan --list                                          the catalogue's model names
              --model: a Hugging Face directory (config.json), a config.json, a .gguf, or a catalogue name.
              --device-memory: memory per accelerator (GB = 10^9, GiB = 2^30). Without it, plans this machine's CPU
              as `pagoda serve` would (memory it may use, JVM heap + 1 GiB overhead, block size 128).
              --overhead-per-device: activations, workspace and runtime per device (default 1.5GiB on a device).""";

    @Override
    public String summary() {
        return "capacity planner: devices, weights and KV cache per device, max-model-len, concurrency";
    }

    @Override
    public int run(String[] argv) throws Exception {
        CliArgs a = CliArgs.parse(argv, USAGE, "--table", "--list");
        if (a == null) return 0; // --help printed the usage
        if (a.takeSwitch("--list")) {
            Catalogue.names().forEach(System.out::println);
            return 0;
        }
        boolean table = a.takeSwitch("--table");
        String model = a.take("--model");
        String devices = a.take("--devices");
        String device = a.take("--device-memory");
        String overhead = a.take("--overhead-per-device");
        Double utilization = a.takeDouble("--gpu-memory-utilization");
        String dtype = a.take("--dtype");
        String kvDtype = a.take("--kv-cache-dtype");
        Integer maxNumSeqs = a.takeInt("--max-num-seqs");
        PlanOptions o = new PlanOptions(device == null ? null : EngineArgs.bytes("--device-memory", device),
                devices == null || devices.equals("min") ? null : parseDevices(devices),
                utilization != null ? utilization : 0.9, dtype != null ? dtype : "auto", a.take("--quantization"),
                kvDtype != null ? kvDtype : "auto", a.takeInt("--block-size"), a.takeInt("--max-model-len"),
                overhead == null ? null : EngineArgs.bytes("--overhead-per-device", overhead), maxNumSeqs != null ? maxNumSeqs : 256);
        String output = a.take("--output");
        if (!a.remaining().isEmpty()) throw new IllegalArgumentException("unknown flag '" + a.remaining().getFirst() + "'");
        List<String> names = table ? (model == null ? Catalogue.names() : Arrays.asList(model.split(","))) : null;
        if (!table && model == null) throw new IllegalArgumentException("--model is required (a path or a catalogue name; --list shows them), or --table");
        List<Plan> plans = new ArrayList<>();
        for (String name : table ? names : List.of(model)) plans.add(CapacityPlanner.plan(spec(name.trim()), o));
        System.out.print(PlanFormat.format(plans, output != null ? output : "markdown", !table));
        return 0;
    }

    private static ModelSpec spec(String name) {
        Path p = Path.of(name);
        return Files.exists(p) ? ModelSpecReader.read(p) : Catalogue.spec(name);
    }

    private static int parseDevices(String v) {
        try {
            int n = Integer.parseInt(v);
            if (n >= 1) return n;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException("--devices must be a positive integer or 'min', got '" + v + "'");
    }
}
