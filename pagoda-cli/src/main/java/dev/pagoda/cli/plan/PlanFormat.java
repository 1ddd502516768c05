package dev.pagoda.cli.plan;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** Writes plans as Markdown, CSV or JSON: one plan in detail, or many as one row each. */
public final class PlanFormat {
    private static final ObjectMapper JSON = new ObjectMapper();

    private PlanFormat() {
    }

    public static String format(List<Plan> plans, String output, boolean detailed) {
        return switch (output) {
            case "json" -> json(plans, detailed);
            case "csv" -> csv(plans);
            case "markdown" -> detailed ? markdownDetail(plans.getFirst()) : markdownTable(plans);
            default -> throw new IllegalArgumentException("--output must be markdown, csv or json, got '" + output + "'");
        };
    }

    /** The figures of one plan, JSON names, in a fixed order. */
    static Map<String, Object> fields(Plan p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", p.model().name());
        m.put("architecture", p.model().architecture());
        m.put("parameters", p.model().parameters());
        m.put("active_parameters", p.model().activeParameters());
        m.put("device", p.device());
        m.put("devices", p.devices());
        m.put("min_devices", p.minDevices());
        m.put("weight_dtype", p.weightDtype());
        m.put("kv_cache_dtype", p.kvDtype());
        m.put("weight_bytes_total", p.weightBytesTotal());
        m.put("weight_bytes_per_device", p.weightBytesPerDevice());
        m.put("kv_heads_per_device", p.kvHeadsPerDevice());
        m.put("kv_bytes_per_token", p.kvBytesPerToken());
        m.put("memory_budget_per_device", p.budget());
        m.put("overhead_per_device", p.overhead());
        m.put("kv_cache_bytes_per_device", p.kvMemory());
        m.put("block_size", p.blockSize());
        m.put("kv_cache_blocks", p.kvBlocks());
        m.put("kv_cache_tokens", p.kvTokens());
        m.put("requested_max_model_len", p.requestedMaxModelLen());
        m.put("max_model_len", p.maxModelLen());
        m.put("fits", p.fits());
        m.put("max_concurrency", p.maxConcurrency());
        m.put("notes", String.join("; ", p.notes()));
        return m;
    }

    private static String json(List<Plan> plans, boolean detailed) {
        ArrayNode array = JSON.createArrayNode();
        for (Plan p : plans) {
            ObjectNode o = JSON.valueToTree(fields(p));
            o.set("notes", JSON.valueToTree(p.notes()));
            array.add(o);
        }
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(detailed ? array.get(0) : array) + "\n";
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String csv(List<Plan> plans) {
        StringBuilder sb = new StringBuilder(String.join(",", fields(plans.getFirst()).keySet())).append('\n');
        for (Plan p : plans) {
            sb.append(fields(p).values().stream().map(PlanFormat::csvCell).collect(Collectors.joining(","))).append('\n');
        }
        return sb.toString();
    }

    private static String csvCell(Object v) {
        String s = v == null ? "" : v.toString();
        return s.contains(",") || s.contains("\"") || s.contains(";") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    private static String markdownTable(List<Plan> plans) {
        StringBuilder sb = new StringBuilder();
        sb.append("| model | params | dtype | min devices | devices | weights/device | KV/token | KV cache/device | KV tokens | max-model-len | max concurrency |\n");
        sb.append("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Plan p : plans) {
            sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %d | %s | %s | %s | %,d | %,d%s | %s |%n",
                    p.model().name(), count(p.model().parameters()), p.weightDtype(), p.minDevices() == null ? "none" : p.minDevices(),
                    p.devices(), bytes(p.weightBytesPerDevice()), bytes(p.kvBytesPerToken()), bytes(p.kvMemory()), p.kvTokens(),
                    p.maxModelLen(), p.fits() ? "" : " (of " + p.requestedMaxModelLen() + ")", concurrency(p)));
        }
        return sb.toString();
    }

    private static String markdownDetail(Plan p) {
        StringBuilder sb = new StringBuilder();
        sb.append("| ").append(p.model().name()).append(" | on ").append(p.devices()).append(" × ").append(p.device()).append(" |\n|---|---|\n");
        ModelSpec m = p.model();
        row(sb, "architecture", m.architecture() + String.format(Locale.ROOT, ", %d layers, %d heads / %d KV heads × %d, vocab %,d",
                m.numLayers(), m.numHeads(), m.numKvHeads(), m.headDim(), m.vocabSize()));
        row(sb, "parameters", count(m.parameters()) + (m.moe() != null ? " (" + count(m.activeParameters()) + " active)" : ""));
        row(sb, "fewest devices that fit", p.minDevices() == null ? "none (up to " + m.numHeads() + ")" : String.valueOf(p.minDevices()));
        row(sb, "weights", p.weightDtype() + ", " + bytes(p.weightBytesTotal()) + " total, " + bytes(p.weightBytesPerDevice()) + " per device");
        row(sb, "memory budget per device", bytes(p.budget()) + " (utilization × memory)");
        row(sb, "overhead per device", bytes(p.overhead()));
        row(sb, "memory left for the KV cache", bytes(p.kvMemory()) + " per device; " + p.kvDtype());
        row(sb, "KV heads per device", String.valueOf(p.kvHeadsPerDevice()));
        row(sb, "KV bytes per token", String.format(Locale.ROOT, "%,d", p.kvBytesPerToken()));
        row(sb, "KV cache", String.format(Locale.ROOT, "%,d blocks of %d = %,d tokens", p.kvBlocks(), p.blockSize(), p.kvTokens()));
        row(sb, "max-model-len", p.maxModelLen() + (p.fits() ? "" : " (" + p.requestedMaxModelLen() + " does not fit)"));
        row(sb, "max concurrency at max-model-len", concurrency(p));
        for (String note : p.notes()) row(sb, "note", note);
        return sb.toString();
    }

    private static void row(StringBuilder sb, String k, String v) {
        sb.append("| ").append(k).append(" | ").append(v).append(" |\n");
    }

    private static String concurrency(Plan p) {
        return p.maxConcurrency() == null ? "no KV cache" : String.format(Locale.ROOT, "%.2fx", p.maxConcurrency());
    }

    static String bytes(long b) {
        double gib = b / (double) (1L << 30);
        if (Math.abs(gib) >= 1) return String.format(Locale.ROOT, "%.2f GiB", gib);
        if (Math.abs(b) >= 1 << 20) return String.format(Locale.ROOT, "%.1f MiB", b / (double) (1 << 20));
        if (Math.abs(b) >= 1 << 10) return String.format(Locale.ROOT, "%.1f KiB", b / 1024.0);
        return b + " B";
    }

    static String count(long n) {
        return n >= 1e9 ? String.format(Locale.ROOT, "%.2fB", n / 1e9) : String.format(Locale.ROOT, "%.1fM", n / 1e6);
    }
}
