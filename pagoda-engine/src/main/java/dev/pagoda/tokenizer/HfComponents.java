package dev.pagoda.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pagoda.PagodaException;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import static dev.pagoda.tokenizer.HfTokenizerLoader.unsupported;

/** Reads tokenizer.json's normalizer, pre_tokenizer, post_processor and decoder sections. */
final class HfComponents {
    private HfComponents() {
    }

    static Normalizer normalizer(JsonNode node) {
        if (node.isMissingNode() || node.isNull()) return Normalizer.NONE;
        String type = node.path("type").asText();
        return switch (type) {
            case "NFC" -> new Normalizer.UnicodeForm(java.text.Normalizer.Form.NFC);
            case "NFD" -> new Normalizer.UnicodeForm(java.text.Normalizer.Form.NFD);
            case "NFKC" -> new Normalizer.UnicodeForm(java.text.Normalizer.Form.NFKC);
            case "NFKD" -> new Normalizer.UnicodeForm(java.text.Normalizer.Form.NFKD);
            case "Lowercase" -> new Normalizer.Lowercase();
            case "Prepend" -> new Normalizer.Prepend(node.path("prepend").asText());
            case "Replace" -> new Normalizer.Replace(pattern(node.path("pattern")), node.path("content").asText());
            case "Sequence" -> {
                List<Normalizer> steps = new ArrayList<>();
                for (JsonNode n : node.path("normalizers")) steps.add(normalizer(n));
                yield new Normalizer.Sequence(steps);
            }
            default -> throw unsupported("normalizer type '" + type + "'");
        };
    }

    static PreTokenizer preTokenizer(JsonNode node) {
        if (node.isMissingNode() || node.isNull()) return PreTokenizer.NONE;
        String type = node.path("type").asText();
        return switch (type) {
            case "Split" -> split(node);
            case "ByteLevel" -> new PreTokenizer.ByteLevel(node.path("add_prefix_space").asBoolean(false),
                    node.path("use_regex").asBoolean(true) ? new PreTokenizer.Split(HfRegex.compile(PreTokenizer.GPT2_PATTERN), true) : null);
            case "Metaspace" -> new PreTokenizer.Metaspace(replacement(node), prependScheme(node), node.path("split").asBoolean(true));
            case "Sequence" -> {
                List<PreTokenizer> steps = new ArrayList<>();
                for (JsonNode n : node.path("pretokenizers")) steps.add(preTokenizer(n));
                yield new PreTokenizer.Sequence(steps);
            }
            default -> throw unsupported("pre-tokenizer type '" + type + "'");
        };
    }

    private static PreTokenizer split(JsonNode node) {
        if (node.path("invert").asBoolean(false)) throw unsupported("Split pre-tokenizer with invert");
        String behavior = node.path("behavior").asText();
        return switch (behavior) {
            case "Isolated" -> new PreTokenizer.Split(pattern(node.path("pattern")), true);
            case "Removed" -> new PreTokenizer.Split(pattern(node.path("pattern")), false);
            default -> throw unsupported("Split pre-tokenizer behavior '" + behavior + "'");
        };
    }

    static PostProcessor postProcessor(JsonNode node) {
        if (node.isMissingNode() || node.isNull()) return PostProcessor.NONE;
        String type = node.path("type").asText();
        return switch (type) {
            case "ByteLevel" -> PostProcessor.NONE; // only adjusts offsets
            case "TemplateProcessing" -> template(node);
            case "Sequence" -> {
                List<PostProcessor> steps = new ArrayList<>();
                for (JsonNode n : node.path("processors")) steps.add(postProcessor(n));
                yield new PostProcessor.Sequence(steps);
            }
            default -> throw unsupported("post-processor type '" + type + "'");
        };
    }

    private static PostProcessor template(JsonNode node) {
        List<Integer> before = new ArrayList<>();
        List<Integer> after = new ArrayList<>();
        boolean seenSequence = false;
        for (JsonNode item : node.path("single")) {
            if (item.has("Sequence")) {
                seenSequence = true;
                continue;
            }
            String name = item.path("SpecialToken").path("id").asText();
            JsonNode special = node.path("special_tokens").path(name);
            if (special.isMissingNode()) throw new PagodaException("tokenizer.json: TemplateProcessing uses undefined special token '" + name + "'");
            for (JsonNode id : special.path("ids")) (seenSequence ? after : before).add(id.asInt());
        }
        return new PostProcessor.Template(before.stream().mapToInt(Integer::intValue).toArray(),
                after.stream().mapToInt(Integer::intValue).toArray());
    }

    static Decoder decoder(JsonNode node) {
        if (node.isMissingNode() || node.isNull()) return Decoder.JOIN_WITH_SPACES;
        String type = node.path("type").asText();
        return switch (type) {
            case "ByteLevel" -> new Decoder.ByteLevel();
            case "ByteFallback" -> new Decoder.ByteFallback();
            case "Fuse" -> new Decoder.Fuse();
            case "Replace" -> new Decoder.Replace(pattern(node.path("pattern")), node.path("content").asText());
            case "Strip" -> {
                String content = node.path("content").asText(" ");
                // A strip at the end would have to hold back streamed text until the end.
                if (node.path("stop").asInt(0) != 0) throw unsupported("Strip decoder with stop > 0");
                if (content.length() != 1) throw unsupported("Strip decoder content '" + content + "'");
                yield new Decoder.Strip(content.charAt(0), node.path("start").asInt(0));
            }
            case "Metaspace" -> new Decoder.Metaspace(replacement(node), !prependScheme(node).equals("never"));
            case "Sequence" -> {
                List<Decoder> steps = new ArrayList<>();
                for (JsonNode n : node.path("decoders")) steps.add(decoder(n));
                yield new Decoder.Sequence(steps);
            }
            default -> throw unsupported("decoder type '" + type + "'");
        };
    }

    /** {"String": literal} or {"Regex": pattern}. */
    private static Pattern pattern(JsonNode node) {
        if (node.has("String")) return Pattern.compile(Pattern.quote(node.path("String").asText()));
        if (node.has("Regex")) return HfRegex.compile(node.path("Regex").asText());
        throw new PagodaException("tokenizer.json: pattern " + node + " is neither String nor Regex");
    }

    private static char replacement(JsonNode node) {
        String r = node.path("replacement").asText("\u2581");
        if (r.length() != 1) throw unsupported("Metaspace replacement '" + r + "'");
        return r.charAt(0);
    }

    /** "always" / "first" / "never"; older files have add_prefix_space instead. */
    private static String prependScheme(JsonNode node) {
        if (node.has("prepend_scheme")) return node.path("prepend_scheme").asText();
        return node.path("add_prefix_space").asBoolean(true) ? "always" : "never";
    }
}
