package dev.pagoda.cli.latency;

import dev.pagoda.PagodaException;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class ScenarioTest {
    @Test
    void defaultsAreTheSixOfTheGuides() {
        List<Scenario> d = Scenario.defaults();
        assertEquals(List.of(128, 128, 512, 128, 128, 128), d.stream().map(Scenario::outputTokens).toList());
        assertEquals(List.of(1, 1, 1, 4, 8, 1), d.stream().map(Scenario::batch).toList());
        assertEquals("The history of the world is a long and complex story. ".repeat(50), d.get(5).prompt());
        assertEquals(d.get(3).prompt(), d.get(4).prompt());
    }

    @Test
    void readsYamlAndJson() throws Exception {
        Path yaml = Files.createTempFile("scenarios", ".yaml");
        Files.writeString(yaml, """
                scenarios:
                  - name: short
                    prompt: "Hi. "
                    repeat: 3
                    output_tokens: 32
                  - name: wide
                    description: eight at once
                    prompt: Hello
                    output_tokens: 16
                    batch: 8
                """);
        List<Scenario> s = Scenario.read(yaml);
        assertEquals(new Scenario("short", "short", "Hi. Hi. Hi. ", 32, 1), s.get(0));
        assertEquals(new Scenario("wide", "eight at once", "Hello", 16, 8), s.get(1));
        Path json = Files.createTempFile("scenarios", ".json");
        Files.writeString(json, "[{\"name\": \"a\", \"prompt\": \"x\", \"output_tokens\": 4, \"batch\": 2}]");
        assertEquals(List.of(new Scenario("a", "a", "x", 4, 2)), Scenario.read(json));
    }

    @Test
    void badFilesAreNamed() throws Exception {
        Path json = Files.createTempFile("scenarios", ".json");
        Files.writeString(json, "[{\"name\": \"a\", \"prompt\": \"x\", \"output_tokens\": 4, \"max_tokens\": 2}]");
        PagodaException e = assertThrows(PagodaException.class, () -> Scenario.read(json));
        assertTrue(e.getMessage().contains("unknown scenario key 'max_tokens'"), e.getMessage());
        Files.writeString(json, "[{\"name\": \"a\", \"prompt\": \"x\", \"output_tokens\": 1}]");
        e = assertThrows(PagodaException.class, () -> Scenario.read(json));
        assertTrue(e.getMessage().contains("output_tokens must be at least 2"), e.getMessage());
    }

    @Test
    void statsAreMeanMedianPopulationStdev() {
        Stats s = Stats.of(List.of(1.0, 2.0, 3.0, 4.0));
        assertEquals(new Stats(2.5, 2.5, Math.sqrt(1.25), 1, 4), s);
    }

    @Test
    void chartAxisEndsAtANiceNumber() {
        assertEquals(6000, LatencyChart.niceCeiling(4404)); // grid at 1500, 3000, 4500
        assertEquals(20, LatencyChart.niceCeiling(10.5));
        assertEquals(4, LatencyChart.niceCeiling(2.1));
        assertEquals(100, LatencyChart.niceCeiling(81));
    }
}
