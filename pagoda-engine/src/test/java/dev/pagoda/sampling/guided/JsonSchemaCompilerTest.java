package dev.pagoda.sampling.guided;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Schema languages checked against arithmetic, a JSON Schema validator and hand-picked texts. */
class JsonSchemaCompilerTest {
    static final ObjectMapper JSON = new ObjectMapper();

    static ByteDfa dfa(String schema) {
        return GrammarCompiler.dfa(new GuidedSpec.JsonSchema(schema));
    }

    static boolean accepts(ByteDfa dfa, String text) {
        return dfa.matches(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void integerRangesAreExact() {
        SplittableRandom rng = new SplittableRandom(3);
        for (int trial = 0; trial < 40; trial++) {
            int lo = rng.nextInt(-400, 400);
            int hi = lo + rng.nextInt(0, 700);
            boolean loEx = rng.nextBoolean() && hi > lo + 1;
            boolean hiEx = rng.nextBoolean() && hi > lo + 1;
            String schema = "{\"type\":\"integer\",\"" + (loEx ? "exclusiveMinimum" : "minimum") + "\":" + lo
                    + ",\"" + (hiEx ? "exclusiveMaximum" : "maximum") + "\":" + hi + "}";
            ByteDfa dfa = dfa(schema);
            for (int n = -1200; n <= 1200; n++) {
                boolean in = (loEx ? n > lo : n >= lo) && (hiEx ? n < hi : n <= hi);
                assertEquals(in, accepts(dfa, Integer.toString(n)), schema + " on " + n);
            }
            assertFalse(accepts(dfa, "-0"));
            assertFalse(accepts(dfa, "0" + Math.abs(lo)));
            assertFalse(accepts(dfa, lo + ".0"));
        }
        ByteDfa open = dfa("{\"type\":\"integer\",\"minimum\":-5}");
        assertTrue(accepts(open, "999999999999999"));
        assertFalse(accepts(open, "9999999999999999"), "16 digits: beyond the digit cap");
        assertFalse(accepts(open, "-6"));
    }

    @Test
    void decimalBoundsAreExact() {
        SplittableRandom rng = new SplittableRandom(5);
        String[] bounds = {"0", "0.25", "-1.5", "3", "0.1", "10.75", "-0.05", "-12", "7.125", "99.9"};
        for (int trial = 0; trial < 40; trial++) {
            BigDecimal a = new BigDecimal(bounds[rng.nextInt(bounds.length)]);
            BigDecimal b = new BigDecimal(bounds[rng.nextInt(bounds.length)]);
            BigDecimal lo = a.min(b);
            BigDecimal hi = a.max(b);
            boolean loEx = rng.nextBoolean() && lo.compareTo(hi) < 0;
            boolean hiEx = rng.nextBoolean() && lo.compareTo(hi) < 0;
            String schema = "{\"type\":\"number\",\"" + (loEx ? "exclusiveMinimum" : "minimum") + "\":" + lo
                    + ",\"" + (hiEx ? "exclusiveMaximum" : "maximum") + "\":" + hi + "}";
            ByteDfa dfa = dfa(schema);
            for (int i = 0; i < 4000; i++) {
                String text = randomNumber(rng);
                BigDecimal v = new BigDecimal(text);
                boolean negativeZero = text.startsWith("-") && v.signum() == 0;
                boolean in = (loEx ? v.compareTo(lo) > 0 : v.compareTo(lo) >= 0) && (hiEx ? v.compareTo(hi) < 0 : v.compareTo(hi) <= 0);
                assertEquals(in && !negativeZero, accepts(dfa, text), schema + " on " + text);
            }
            // The bounds themselves, written with extra zeros.
            assertEquals(!loEx, accepts(dfa, lo.toPlainString() + (lo.scale() > 0 ? "00" : ".000")), schema);
            assertEquals(!hiEx, accepts(dfa, hi.toPlainString()), schema);
        }
    }

    static String randomNumber(SplittableRandom rng) {
        StringBuilder b = new StringBuilder();
        if (rng.nextBoolean()) b.append('-');
        int intDigits = rng.nextInt(1, 4);
        b.append(intDigits == 1 ? rng.nextInt(10) : rng.nextInt((int) Math.pow(10, intDigits - 1), (int) Math.pow(10, intDigits)));
        if (rng.nextInt(3) > 0) {
            b.append('.');
            int f = rng.nextInt(1, 5);
            for (int i = 0; i < f; i++) b.append(rng.nextInt(10));
        }
        return b.toString();
    }

    @Test
    void datesAreRealCalendarDates() {
        ByteDfa date = dfa("{\"type\":\"string\",\"format\":\"date\"}");
        assertTrue(accepts(date, "\"2024-02-29\""));
        assertTrue(accepts(date, "\"2000-02-29\""));
        assertFalse(accepts(date, "\"1900-02-29\""));
        assertFalse(accepts(date, "\"2023-02-29\""));
        assertFalse(accepts(date, "\"2023-04-31\""));
        assertTrue(accepts(date, "\"2023-12-31\""));
        ByteDfa dateTime = dfa("{\"type\":\"string\",\"format\":\"date-time\"}");
        assertTrue(accepts(dateTime, "\"2023-12-31T23:59:59.5+05:30\""));
        assertTrue(accepts(dateTime, "\"2023-12-31T00:00:00Z\""));
        assertFalse(accepts(dateTime, "\"2023-12-31T00:00:00-00:00\""), "offset unknown");
        assertFalse(accepts(dateTime, "\"2023-12-31T24:00:00Z\""));
        assertFalse(accepts(date, "\"2023-13-01\""));
    }

    @Test
    void sampledMembersValidate() {
        // Random walks through the automata of generated schemas: every member is valid JSON for its schema.
        SchemaGenerator gen = new SchemaGenerator(11);
        SplittableRandom rng = new SplittableRandom(12);
        for (int i = 0; i < 40; i++) {
            JsonNode schema = gen.next();
            ByteDfa dfa = dfa(schema.toString());
            for (int k = 0; k < 10; k++) {
                String text = RegexParserTest.utf8(DfaWalk.sample(dfa, rng, 0.5));
                assertNull(SchemaValidation.problems(schema, text), schema + "\n" + text);
            }
        }
    }

    @Test
    void objectsKeepPropertyOrderAndOptionalOnes() {
        ByteDfa dfa = dfa("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"integer\"},\"b\":{\"type\":\"boolean\"},"
                + "\"c\":{\"type\":\"null\"}},\"required\":[\"b\"]}");
        for (String ok : new String[]{"{\"b\":true}", "{\"a\":1,\"b\":false}", "{\"b\":true,\"c\":null}", "{\"a\":-3,\"b\":true,\"c\":null}",
                "{ \"a\" : 1 , \"b\" : true }"}) {
            assertTrue(accepts(dfa, ok), ok);
        }
        for (String bad : new String[]{"{}", "{\"a\":1}", "{\"b\":true,\"a\":1}", "{\"b\":true,}", "{,\"b\":true}", "{\"b\":true,\"d\":1}"}) {
            assertFalse(accepts(dfa, bad), bad);
        }
    }

    @Test
    void whitespaceIsAtMostOneSpace() {
        ByteDfa dfa = dfa("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"array\",\"items\":{\"type\":\"integer\"}}}}");
        assertTrue(accepts(dfa, "{ \"a\": [1, 2] }"));
        assertTrue(accepts(dfa, "{\"a\":[1,2]}"));
        assertFalse(accepts(dfa, "{  \"a\":[1]}"));
        assertFalse(accepts(dfa, "{\"a\":[1,  2]}"));
        assertFalse(accepts(dfa, "{\n\"a\":[1]}"));
        assertFalse(accepts(dfa, "{\"a\":[1]}\n"));
        assertFalse(accepts(dfa, " {\"a\":[1]}"));
        // The whitespace anywhere is bounded: no state loops on a space.
        for (int s = 0; s < dfa.stateCount(); s++) {
            int t = dfa.step(s, ' ');
            if (t != ByteDfa.DEAD) assertEquals(ByteDfa.DEAD, dfa.step(t, ' '), "two spaces in a row from state " + s);
        }
    }

    @Test
    void patternsInsideStringsAreEscapedAndLengthsCountCharacters() {
        ByteDfa dfa = dfa("{\"type\":\"string\",\"pattern\":\"^.{2,3}$\",\"maxLength\":2}");
        assertTrue(accepts(dfa, "\"\\\"\\\\\""), "a quote and a backslash, escaped: two characters");
        assertTrue(accepts(dfa, "\"日本\""));
        assertFalse(accepts(dfa, "\"日本語\""), "three characters, above maxLength");
        assertFalse(accepts(dfa, "\"\"\"\""), "an unescaped quote");
        assertTrue(accepts(dfa, "\"a\\u0001\""), "a control character, escaped");
    }

    @Test
    void longStringLimitsAreExactAndCompileQuickly() {
        long cpu0 = java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
        ByteDfa dfa = dfa("{\"type\":\"string\",\"minLength\":998,\"maxLength\":1000}");
        double cpuMs = (java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - cpu0) / 1e6;
        assertTrue(cpuMs < 2000, "compile took " + cpuMs + " ms of CPU");
        assertFalse(accepts(dfa, "\"" + "é".repeat(997) + "\""));
        assertTrue(accepts(dfa, "\"" + "é".repeat(998) + "\""));
        assertTrue(accepts(dfa, "\"" + "\\n".repeat(1000) + "\""), "escapes count as one character");
        assertFalse(accepts(dfa, "\"" + "a".repeat(1001) + "\""));
        ByteDfa repeated = dfa("{\"type\":\"string\",\"pattern\":\"(ab|c){2,300}\"}");
        assertTrue(accepts(repeated, "\"" + "ab".repeat(150) + "c".repeat(150) + "\""));
        assertFalse(accepts(repeated, "\"" + "c".repeat(301) + "\""));
        assertFalse(accepts(repeated, "\"c\""));
    }

    @Test
    void jsonObjectIsAnyObjectNestedUpToTheLimit() throws Exception {
        ByteDfa dfa = GrammarCompiler.dfa(new GuidedSpec.JsonObject());
        for (String ok : new String[]{"{}", "{ }", "{\"a\":1}", "{\"a\": [1, \"x\", null, true, {\"b\": -2.5e3}], \"c\": {}}",
                "{\"日本\":\"\\n\"}", "{\"a\":{\"b\":{\"c\":1}}}"}) {
            assertTrue(accepts(dfa, ok), ok);
        }
        for (String bad : new String[]{"[]", "1", "\"x\"", "{\"a\":{\"b\":{\"c\":{\"d\":1}}}}", "{\"a\":1,}", "{'a':1}", "{\"a\":01}"}) {
            assertFalse(accepts(dfa, bad), bad);
        }
        SplittableRandom rng = new SplittableRandom(9);
        JsonNode anyObject = JSON.readTree("{\"type\":\"object\"}");
        for (int i = 0; i < 200; i++) {
            String text = RegexParserTest.utf8(DfaWalk.sample(dfa, rng, 0.6));
            assertNull(SchemaValidation.problems(anyObject, text), text);
        }
    }

    @Test
    void refsDefsAndCombinators() {
        String schema = "{\"$defs\":{\"p\":{\"type\":\"object\",\"properties\":{\"x\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":9}},"
                + "\"required\":[\"x\"]}},\"type\":\"array\",\"items\":{\"$ref\":\"#/$defs/p\"},\"maxItems\":2}";
        ByteDfa dfa = dfa(schema);
        assertTrue(accepts(dfa, "[{\"x\":1},{\"x\":9}]"));
        assertFalse(accepts(dfa, "[{\"x\":10}]"));
        ByteDfa all = dfa("{\"allOf\":[{\"type\":\"integer\",\"minimum\":3},{\"type\":\"integer\",\"maximum\":5}]}");
        assertTrue(accepts(all, "4"));
        assertFalse(accepts(all, "6"));
        ByteDfa nullable = dfa("{\"type\":[\"string\",\"null\"],\"maxLength\":1}");
        assertTrue(accepts(nullable, "null"));
        assertTrue(accepts(nullable, "\"a\""));
        assertFalse(accepts(nullable, "\"ab\""));
    }

    @Test
    void unsupportedFeaturesAreNamed() {
        assertMessage("{\"type\":\"integer\",\"multipleOf\":3}", "'multipleOf' at #");
        assertMessage("{\"type\":\"array\",\"items\":{\"type\":\"string\"},\"uniqueItems\":true}", "'uniqueItems'");
        assertMessage("{\"type\":\"object\",\"properties\":{\"a\":{\"not\":{\"type\":\"null\"}}}}", "'not' at #/properties/a");
        assertMessage("{\"type\":\"object\",\"patternProperties\":{\"^x\":{}}}", "'patternProperties'");
        assertMessage("{\"$defs\":{\"n\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/$defs/n\"}}},\"$ref\":\"#/$defs/n\"}", "recursive $ref");
        assertMessage("{\"$ref\":\"https://example.com/s.json\"}", "remote $ref");
        assertMessage("{\"type\":\"string\",\"format\":\"email\"}", "string format 'email'");
        assertMessage("{\"type\":\"string\",\"pattern\":\"(?=a)\"}", "lookaround");
        assertMessage("{\"if\":{}}", "'if'");
        assertMessage("{\"type\":\"object\",\"properties\":{\"a\":{}},\"required\":[\"b\"]}", "required property 'b'");
        assertMessage("{\"type\":\"integer\",\"minimum\":5,\"maximum\":4}", "no integer");
        assertMessage("{\"type\":\"strin\"}", "unknown type 'strin'");
        assertMessage("{\"type\":", "invalid JSON schema");
        assertMessage("{\"allOf\":[{\"type\":\"string\"},{\"type\":\"integer\"}]}", "allows no value");
    }

    static void assertMessage(String schema, String part) {
        GrammarException e = assertThrows(GrammarException.class, () -> dfa(schema));
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }
}
