package dev.pagoda.server;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** The engine must not depend on the server (DESIGN: dependency rules as tests). */
class DependencyRulesTest {
    @Test
    void engineDoesNotDependOnTheServer() throws Exception {
        Path engine = TestServer.root().resolve("pagoda-engine");
        assertFalse(Files.readString(engine.resolve("pom.xml")).contains("pagoda-server"), "pagoda-engine/pom.xml names pagoda-server");
        List<Path> offenders;
        try (Stream<Path> files = Files.walk(engine.resolve("src/main/java"))) {
            offenders = files.filter(p -> p.toString().endsWith(".java")).filter(p -> {
                try {
                    String s = Files.readString(p);
                    return s.contains("dev.pagoda.server") || s.contains("io.vertx") || s.contains("io.prometheus");
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).toList();
        }
        assertEquals(List.of(), offenders);
    }
}
