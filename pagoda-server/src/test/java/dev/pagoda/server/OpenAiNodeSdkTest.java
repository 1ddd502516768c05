package dev.pagoda.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The official {@code openai} npm package against the real server: installs it (npm, into
 * target/, outside git) and runs src/test/node/sdk-test.mjs, which fails on the first bad check.
 */
class OpenAiNodeSdkTest {
    static TestServer s;

    @BeforeAll
    static void start() throws Exception {
        Path template = Files.createTempFile("chat", ".jinja");
        Files.writeString(template, "{% for m in messages %}{{ m['content'] }}\n{% endfor %}{% if add_generation_prompt %}Once upon a time{% endif %}");
        s = TestServer.bundled(c -> c.withServedModelName("stories").withChatTemplate(template), a -> { });
    }

    @AfterAll
    static void stop() throws Exception {
        s.close();
    }

    @Test
    void officialNodeSdkPassesItsChecks() throws Exception {
        Path src = TestServer.root().resolve("pagoda-server/src/test/node");
        Path dir = TestServer.root().resolve("pagoda-server/target/node-sdk");
        Files.createDirectories(dir);
        for (String f : List.of("package.json", "sdk-test.mjs")) Files.copy(src.resolve(f), dir.resolve(f), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        if (!Files.isDirectory(dir.resolve("node_modules/openai"))) {
            run(dir, 300, "npm", "install", "--no-audit", "--no-fund", "--loglevel=error");
        }
        String out = run(dir, 120, "node", "sdk-test.mjs", s.base, "stories");
        assertTrue(out.contains("node openai sdk checks: all ok"), out);
    }

    private static String run(Path dir, int seconds, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        boolean exited = p.waitFor(seconds, TimeUnit.SECONDS);
        if (!exited) p.destroyForcibly();
        String text = new String(out, StandardCharsets.UTF_8);
        assertTrue(exited && p.exitValue() == 0, String.join(" ", command) + " failed:\n" + text);
        return text;
    }
}
