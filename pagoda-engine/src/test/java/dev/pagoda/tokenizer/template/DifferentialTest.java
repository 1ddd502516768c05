package dev.pagoda.tokenizer.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Renders several hundred generated templates with our renderer and with Python Jinja2 set up as
 * transformers sets it up (one batched python3 call), and requires identical output, or the same
 * error message where Jinja2 fails.
 */
class DifferentialTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long SEED = Long.getLong("pagoda.template.seed", 20250601L);
    private static final int CASES = Integer.getInteger("pagoda.template.cases", 400);

    @Test
    void matchesPythonJinja2() throws Exception {
        Assumptions.assumeTrue(pythonJinja2Available(),
                () -> skip("python3 with jinja2 not found: differential test against Python Jinja2 skipped"));
        TemplateGenerator generator = new TemplateGenerator(SEED);
        List<Map<String, Object>> cases = new ArrayList<>();
        for (int i = 0; i < CASES; i++) {
            cases.add(Map.of("template", generator.template(), "context", generator.context()));
        }
        List<Map<String, String>> expected = runPython(cases);
        assertEquals(cases.size(), expected.size());

        int mismatches = 0;
        int errors = 0;
        StringBuilder report = new StringBuilder();
        for (int i = 0; i < cases.size(); i++) {
            @SuppressWarnings("unchecked")
            Map<String, Object> context = (Map<String, Object>) cases.get(i).get("context");
            String template = (String) cases.get(i).get("template");
            Map<String, String> want = expected.get(i);
            String got;
            try {
                got = "ok:" + ChatTemplate.compile(template).render(context);
            } catch (TemplateException e) {
                got = "error:" + e.getMessage();
            } catch (RuntimeException e) {
                got = "crash:" + e + " at " + java.util.Arrays.stream(e.getStackTrace()).limit(6).toList();
            }
            String wantText = want.containsKey("ok") ? "ok:" + want.get("ok") : "error:" + want.get("message");
            if (want.containsKey("error")) {
                errors++;
            }
            // Syntax errors carry our own location prefix, so for those only the failure itself must match.
            boolean same = want.containsKey("error") && want.get("error").equals("TemplateSyntaxError")
                    ? got.startsWith("error:chat template syntax error")
                    : got.equals(wantText);
            if (!same && mismatches++ < 5) {
                report.append("\n--- case ").append(i).append("\ntemplate: ").append(JSON.writeValueAsString(template))
                        .append("\ncontext: ").append(JSON.writeValueAsString(context))
                        .append("\njinja2:  ").append(JSON.writeValueAsString(wantText))
                        .append("\npagoda:  ").append(JSON.writeValueAsString(got));
            }
        }
        System.out.printf("template differential: seed=%d cases=%d (python errors: %d) mismatches=%d%n",
                SEED, cases.size(), errors, mismatches);
        assertTrue(errors < cases.size() / 3, "generator produces too many failing templates: " + errors);
        assertEquals(0, mismatches, "seed " + SEED + ", first mismatches:" + report);
    }

    private static String skip(String message) {
        System.err.println("SKIPPED: " + message);
        return message;
    }

    private static boolean pythonJinja2Available() {
        try {
            Process p = new ProcessBuilder("python3", "-c", "import jinja2").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static List<Map<String, String>> runPython(List<Map<String, Object>> cases) throws Exception {
        Path script = Files.createTempFile("jinja2_render", ".py");
        try (InputStream in = DifferentialTest.class.getResourceAsStream("jinja2_render.py")) {
            Files.write(script, in.readAllBytes());
            ProcessBuilder pb = new ProcessBuilder("python3", script.toString()).redirectError(ProcessBuilder.Redirect.INHERIT);
            pb.environment().put("PYTHONIOENCODING", "utf-8");
            Process p = pb.start();
            try (var stdin = p.getOutputStream()) {
                stdin.write(JSON.writeValueAsBytes(cases));
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "python3 renderer failed");
            return JSON.readValue(out, new TypeReference<>() { });
        } finally {
            Files.deleteIfExists(script);
        }
    }
}
