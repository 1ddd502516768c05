package dev.pagoda.tokenizer.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Tricky Jinja2/Python behaviours, each pinned to what Python Jinja2 3.1 renders. */
class TemplateSemanticsTest {
    private static String render(String template, Map<String, Object> context) {
        return ChatTemplate.compile(template).render(context);
    }

    private static String render(String template) {
        return render(template, Map.of());
    }

    private static String error(String template, Map<String, Object> context) {
        return assertThrows(TemplateException.class, () -> render(template, context)).getMessage();
    }

    @Test
    void reverseSlicing() {
        assertEquals("cba|[3, 2, 1]|🚀b", render("{{ 'abc'[::-1] }}|{{ [1, 2, 3][::-1] }}|{{ s[::-1] }}", Map.of("s", "b🚀")));
        assertEquals("[2, 3]|[1, 2]|[3, 1]|bc|", render("{{ [1,2,3][1:] }}|{{ [1,2,3][:-1] }}|{{ [1,2,3][::-2] }}|{{ 'abc'[-2:] }}|{{ 'abc'[5:] }}"));
    }

    @Test
    void tojsonMatchesPythonJsonDumps() {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("zeta", "你好 \"q\"\n");
        value.put("alpha", List.of(1, 2.5, true));
        value.put("none", null);
        value.put("empty", Map.of());
        Map<String, Object> ctx = Map.of("v", value);
        assertEquals("{\"zeta\": \"你好 \\\"q\\\"\\n\", \"alpha\": [1, 2.5, true], \"none\": null, \"empty\": {}}",
                render("{{ v|tojson }}", ctx));
        assertEquals("{\n  \"zeta\": \"你好 \\\"q\\\"\\n\",\n  \"alpha\": [\n    1,\n    2.5,\n    true\n  ],\n"
                + "  \"none\": null,\n  \"empty\": {}\n}", render("{{ v|tojson(indent=2) }}", ctx));
        assertEquals("{\"alpha\": [1, 2.5, true], \"empty\": {}, \"none\": null, \"zeta\": \"\\u4f60\\u597d \\\"q\\\"\\n\"}",
                render("{{ v|tojson(ensure_ascii=true, sort_keys=true) }}", ctx));
        assertEquals("[1e-05, 1e+16, 1.0]", render("{{ [0.00001, 1e16, 1.0]|tojson }}"));
    }

    @Test
    void undefinedBehavesLikeJinja2DefaultUndefined() {
        assertEquals("[]|0|True|False|x", render("[{{ nope }}]|{{ nope|length }}|{{ nope is undefined }}|{{ nope == 1 }}|{{ nope|default('x') }}"));
        assertEquals("[]", render("[{% for x in nope %}{{ x }}{% endfor %}]"));
        assertEquals("'nope' is undefined", error("{{ nope.attr }}", Map.of()));
        assertEquals("'dict object' has no attribute 'missing'", error("{{ d.missing.deeper }}", Map.of("d", Map.of())));
        assertEquals("list object has no element 3", error("{{ l[3].x }}", Map.of("l", List.of())));
        assertEquals("'nope' is undefined", error("{{ nope + 1 }}", Map.of()));
        assertEquals("access to attribute 'append' of 'list' object is unsafe.", error("{{ l.append(1) }}", Map.of("l", List.of())));
    }

    @Test
    void loopLastSeesOnlyFilteredItems() {
        String t = "{% for m in messages if m.role != 'tool' %}{{ m.role }}{{ '.' if loop.last else ',' }}{{ loop.length }}{% endfor %}";
        List<Object> messages = List.of(Map.of("role", "user"), Map.of("role", "assistant"), Map.of("role", "tool"));
        assertEquals("user,2assistant.2", render(t, Map.of("messages", messages)));
    }

    @Test
    void contentIsDataNotTemplateCode() {
        String content = "{{ 7 * 7 }} {% if true %}x{% endif %} {# c #}";
        assertEquals("<" + content + ">", render("<{{ messages[0].content }}>", Map.of("messages", List.of(Map.of("content", content)))));
    }

    @Test
    void pythonValueFormatting() {
        assertEquals("True False None 1.0 2 [1, 'a', None] {'k': 'v'} ('x',) 0.5 -3 1e-05",
                render("{{ true }} {{ false }} {{ none }} {{ 1.0 }} {{ 2 }} {{ [1, 'a', none] }} {{ {'k': 'v'} }} {{ ('x',) }} {{ 1/2 }} {{ -7 // 3 }} {{ 0.00001 }}"));
        assertEquals("[\"it's\", 'a\"b', 'x\\n']", render("{{ [\"it's\", 'a\"b', 'x\\n'] }}"));
    }

    @Test
    void whitespaceControlAndBlockTrimming() {
        assertEquals("    a\nb\n", render("{% if true %}\n    a\n    {% endif %}\n{%- if true %}\nb\n{% endif %}\n\n"));
        assertEquals("[x]", render("[  {{- 'x' -}}  \n ]"));
        assertEquals("  x\n", render("{%+ if true %}  x\n{% endif +%}"));
    }

    @Test
    void scopingFollowsJinja2() {
        assertEquals("12|12|1", render("{% set x = 1 %}{% for i in [1,2] %}{{ x }}{% set x = x + 1 %}{{ x }}|{% endfor %}{{ x }}"));
        assertEquals("2", render("{% set ns = namespace(n=0) %}{% for i in [1,2] %}{% set ns.n = ns.n + 1 %}{% endfor %}{{ ns.n }}"));
        assertEquals("cannot assign attribute on non-namespace object", error("{% set x = 1 %}{% set x.y = 2 %}", Map.of()));
    }

    @Test
    void macrosAndCallBlocks() {
        assertEquals("[1|d][2|e]", render("{% macro m(a, b='d') %}[{{ a }}|{{ b }}]{% endmacro %}{{ m(1) }}{{ m(2, b='e') }}"));
        assertEquals("<in>", render("{% macro w() %}<{{ caller() }}>{% endmacro %}{% call w() %}in{% endcall %}"));
        assertEquals("macro 'm' takes not more than 1 argument(s)", error("{% macro m(a) %}{% endmacro %}{{ m(1, 2) }}", Map.of()));
    }

    @Test
    void raiseExceptionAndStrftime() {
        assertEquals("Only user and assistant roles!", error("{{ raise_exception('Only user and assistant roles!') }}", Map.of()));
        Clock clock = Clock.fixed(Instant.parse("2024-07-26T09:05:00Z"), ZoneOffset.UTC);
        assertEquals("26 Jul 2024 09:05 Friday", ChatTemplate.compile("{{ strftime_now('%d %b %Y %H:%M %A') }}").render(Map.of(), clock));
    }

    @Test
    void syntaxErrorsNameTheLine() {
        TemplateException e = assertThrows(TemplateException.class, () -> ChatTemplate.compile("ok\n{% if x %}\n{% endfor %}"));
        assertTrue(e.getMessage().startsWith("chat template syntax error at line 3"), e.getMessage());
        assertThrows(TemplateException.class, () -> ChatTemplate.compile("{{ 1 + }}"));
    }
}
