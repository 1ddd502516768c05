package dev.pagoda.tokenizer.template;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Seeded random chat templates built from the constructs real templates use (whitespace control,
 * namespaces, loop variables, macros, slicing, filters, string methods, tojson, conditionals, loop
 * controls), with random message lists to render them against.
 */
final class TemplateGenerator {
    private static final String[] ROLES = {"system", "user", "assistant", "tool"};
    private static final String[] CONTENTS = {
        "Hello! What is vLLM?", "  padded text \n", "", "{{ not_evaluated }} {% if x %}", "<think>\nstep one\n</think>\n\nanswer",
        "你好，世界 🚀", "line1\nline2\n\nline4", "it's \"quoted\" \\ back", "\tTabbed\u00a0nbsp", "UPPER lower Title",
        "<tool_response>ok</tool_response>", "a,b,,c", "ǅungla ßtraße", "x" };
    private static final String[] TEXT = {"", "", "\n", "\n    ", "  ", "X", " ab ", "\n\n", "\t", "[", "]\n", "— ü "};

    private final Random rnd;
    private int names;

    TemplateGenerator(long seed) {
        this.rnd = new Random(seed);
    }

    private <T> T pick(T[] options) {
        return options[rnd.nextInt(options.length)];
    }

    private boolean chance(int percent) {
        return rnd.nextInt(100) < percent;
    }

    // ---- contexts ----

    Map<String, Object> context() {
        Map<String, Object> ctx = new LinkedHashMap<>();
        List<Object> messages = new ArrayList<>();
        int count = rnd.nextInt(5);
        for (int i = 0; i < count; i++) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("role", i == 0 && chance(40) ? "system" : pick(ROLES));
            m.put("content", chance(8) ? List.of(Map.of("type", "text", "text", pick(CONTENTS))) : pick(CONTENTS));
            if (chance(20)) {
                m.put("reasoning_content", chance(30) ? null : "thinking…");
            }
            if (chance(15)) {
                Map<String, Object> args = new LinkedHashMap<>();
                args.put("city", pick(CONTENTS));
                args.put("days", (long) rnd.nextInt(10));
                args.put("ratio", rnd.nextInt(4) * 0.25);
                m.put("tool_calls", List.of(Map.of("id", "abc123XYZ", "type", "function",
                        "function", Map.of("name", "get_weather", "arguments", args))));
            }
            messages.add(m);
        }
        ctx.put("messages", messages);
        ctx.put("add_generation_prompt", chance(50));
        ctx.put("tools", chance(70) ? null : List.of(Map.of("type", "function", "function",
                Map.of("name", "get_weather", "description", "Weather in «city»", "parameters",
                        Map.of("type", "object", "properties", Map.of("city", Map.of("type", "string")))))));
        ctx.put("flag", chance(50));
        ctx.put("n", (long) rnd.nextInt(7) - 2);
        ctx.put("x", pick(new Double[] {0.5, 2.0, -1.25, 1e-5, 1e16, 3.0e10, 0.1}));
        ctx.put("words", List.of(pick(CONTENTS), "beta", "Alpha", "beta", "gamma"));
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("name", pick(CONTENTS));
        meta.put("count", (long) rnd.nextInt(100));
        meta.put("nested", Map.of("ok", true));
        meta.put("none", null);
        ctx.put("meta", meta);
        ctx.put("text", pick(CONTENTS));
        if (chance(50)) {
            ctx.put("enable_thinking", chance(50));
        }
        return ctx;
    }

    // ---- templates ----

    String template() {
        names = 0;
        StringBuilder sb = new StringBuilder();
        if (chance(30)) {
            sb.append("{%- set ns = namespace(count=0, found=false, last='') %}\n");
        }
        int statements = 2 + rnd.nextInt(4);
        for (int i = 0; i < statements; i++) {
            statement(sb, 0, null);
        }
        return sb.toString();
    }

    /** {@code item} is the loop variable over messages when inside such a loop, else null. */
    private void statement(StringBuilder sb, int depth, String item) {
        sb.append(pick(TEXT));
        int kind = rnd.nextInt(depth >= 2 ? 3 : 11);
        switch (kind) {
            case 0, 1 -> sb.append(open("{{")).append(' ').append(value(item)).append(' ').append(close("}}"));
            case 2 -> sb.append(open("{#")).append(" comment ").append(close("#}")).append(pick(TEXT));
            case 3, 4 -> {
                sb.append(tag("if " + condition(item)));
                body(sb, depth, item);
                if (chance(40)) {
                    sb.append(tag("elif " + condition(item)));
                    body(sb, depth, item);
                }
                if (chance(50)) {
                    sb.append(tag("else"));
                    body(sb, depth, item);
                }
                sb.append(tag("endif"));
            }
            case 5, 6 -> {
                String var = "m" + depth;
                String source = pick(new String[] {"messages", "messages[::-1]", "messages[1:]", "messages|reverse",
                        "messages|selectattr('role', 'equalto', 'user')", "messages|rejectattr('tool_calls', 'defined')"});
                String filter = chance(30) ? " if " + var + ".role != 'tool'" : "";
                sb.append(tag("for " + var + " in " + source + filter));
                body(sb, depth, var);
                if (chance(30)) {
                    sb.append(tag("if loop.index0 == 1")).append(tag(chance(50) ? "break" : "continue")).append(tag("endif"));
                }
                if (chance(25)) {
                    sb.append(tag("else")).append("empty");
                }
                sb.append(tag("endfor"));
            }
            case 7 -> {
                sb.append(tag("for k, v in meta.items()"));
                sb.append(open("{{")).append(" k ~ '=' ~ v").append(chance(50) ? "|string" : "")
                        .append(" }}").append(pick(new String[] {",", "{% if not loop.last %};{% endif %}", "\n"}));
                sb.append(tag("endfor"));
            }
            case 8 -> {
                if (item != null) {
                    sb.append(tag("set ns.count = ns.count + 1")).append(tag("set ns.last = " + item + ".role"));
                    sb.append("{{ ns.count }}{{ ns.last }}");
                    break;
                }
                String name = "v" + names++;
                sb.append(tag("set " + name + " = " + value(null))).append("{{ ").append(name).append(" }}");
            }
            case 9 -> {
                String name = "mac" + names++;
                sb.append(tag("macro " + name + "(a, b='" + pick(CONTENTS).replace("'", "") + "')"));
                sb.append("[{{ a }}|{{ b|trim }}]");
                sb.append(tag("endmacro"));
                sb.append("{{ ").append(name).append("(").append(value(item)).append(chance(50) ? ", b=text" : "").append(") }}");
            }
            default -> {
                if (chance(25)) {
                    sb.append(tag("set p, q = (" + value(item) + ", n)")).append("{{ p }}/{{ q }}");
                    sb.append(tag("with w = " + value(item))).append("<{{ w }}>").append(tag("endwith"));
                } else if (chance(50)) {
                    sb.append(tag("set blk")).append(pick(TEXT)).append("{{ ").append(value(item)).append(" }}").append(tag("endset"));
                    sb.append("{{ blk|length }}:{{ blk }}");
                } else {
                    sb.append(tag("filter " + pick(new String[] {"upper", "trim", "title", "lower"})));
                    body(sb, depth, item);
                    sb.append(tag("endfilter"));
                }
            }
        }
    }

    private void body(StringBuilder sb, int depth, String item) {
        int count = 1 + rnd.nextInt(2);
        for (int i = 0; i < count; i++) {
            statement(sb, depth + 1, item);
        }
    }

    private String open(String delimiter) {
        return delimiter + (chance(40) ? "-" : "");
    }

    private String close(String delimiter) {
        return (chance(30) ? "-" : "") + delimiter;
    }

    private String tag(String content) {
        String indent = pick(new String[] {"", "\n", "\n    ", "  ", "\n\t"});
        return indent + open("{%") + " " + content + " " + close("%}") + (chance(60) ? "\n" : "");
    }

    private String value(String item) {
        String m = item != null ? item : "messages[0]";
        String[] options = {
            m + ".content", m + "['role']", m + ".role|upper", m + "|tojson", m + ".tool_calls|tojson(indent=2)",
            m + ".content.split('</think>')[-1].lstrip('\\n')", m + ".reasoning_content", m + ".content[:5]",
            m + ".content is string", "(" + m + ".content|string)[::-1]", m + ".get('name', 'anon')",
            "text", "text|trim", "text.strip()", "text.upper()", "text.split(' ')", "text.split()[0]", "text[::-1]",
            "text[1:4]", "text|length", "text.replace('a', 'A')", "text|title", "text|capitalize", "text.title()",
            "text.startswith('H')", "text.endswith('\\n')", "text.rstrip()", "text.count('l')", "text.find('e')",
            "words|join(', ')", "words|sort|join(' ')", "words|unique|list", "words|first", "words|last",
            "words|map('upper')|list", "words|select('string')|list", "words|batch(2)|list", "words|reverse|list",
            "words|sort(reverse=true)", "words[1:]", "words|count", "words|max", "words|min",
            "meta", "meta|tojson", "meta|tojson(indent=4)", "meta|tojson(sort_keys=true)", "meta|dictsort",
            "meta.items()|list", "meta.keys()|list", "meta.values()|list", "meta|items|list", "meta.nested.ok",
            "meta['count'] // 3", "meta.count % 7", "meta.count / 8", "meta.missing", "meta.none",
            "messages|length", "messages|map(attribute='role')|join(',')", "messages|selectattr('role', 'equalto', 'user')|list|length",
            "tools|tojson", "tools", "n", "n * 2 + 1", "n ** 2", "-n", "n|abs", "x", "x * 3", "x|round(2)", "x|int",
            "n|float", "x ~ '|' ~ n", "'%s-%d' % (text|length, n)", "'%05.2f'|format(x)", "n if flag else 'no'",
            "'yes' if text else none", "[n, x, flag, none, text]", "{'a': n, 'b': [x]}", "(n, text)", "range(3)|list",
            "words|join('-')|length", "enable_thinking", "add_generation_prompt", "undefined_thing", "loop.index",
            "text|e", "text|indent(2)", "text|wordcount", "text|center(21)", "meta|length", "'%s'|format(meta)",
            "text is lower", "n is odd", "n is divisibleby 2", "x is float", "meta is mapping", "words is sequence",
            "undefined_thing is defined", "text in words", "'beta' in words", "'count' in meta", "n in [1, 2, 3]",
            "words|sum(start='')", "text|replace('l', 'L', 1)", "text.rsplit(' ', 1)", "text.splitlines()",
            "meta|tojson(separators=(',', ':'))", "x|round", "2.5|round", "n|string ~ x", "words|select('equalto', 'beta')|list",
            "[1, 2, 3]|batch(2, 'z')|list", "'ab' * n", "words + [n]", "messages|map(attribute='content')|select|list",
            "{'k': n, 'a': x}|dictsort(by='value')", "text|lower|title", "messages|map(attribute='tool_calls', default=[])|list",
            "(words|first)[0]", "text.split('\n')|map('trim')|join('/')", "words|join(attribute='x')" };
        if (item != null && chance(40)) {
            return pick(new String[] {"loop.index", "loop.revindex", "loop.revindex0", "loop.length", "loop.first",
                "loop.previtem", "loop.nextitem.role", "loop.cycle('odd', 'even')", "loop.changed(" + item + ".role)",
                "loop.index0 ~ '/' ~ loop.length"});
        }
        return pick(options);
    }

    private String condition(String item) {
        String m = item != null ? item : "messages[0]";
        String[] options = {
            m + ".role == 'user'", m + ".role in ['system', 'tool']", m + ".tool_calls is defined",
            m + ".reasoning_content is not none", "'</think>' in " + m + ".content", m + ".content",
            "not " + m + ".content.startswith('<tool_response>')", "flag", "not flag", "n > 0", "n >= 2 and flag",
            "n < 0 or not text", "text", "text is string", "tools is not none", "tools", "add_generation_prompt",
            "enable_thinking is defined and enable_thinking is false", "messages|length > 2", "messages",
            "words|length == 5", "meta.nested.ok", "meta.missing is undefined", "ns is defined and ns.count > 1",
            "loop is defined and loop.first", "loop is defined and loop.last", "x > 1.0", "1 < n < 4",
            "messages[-1].role == 'assistant'", "text.strip() == ''", "meta.count is even" };
        return pick(options);
    }
}
