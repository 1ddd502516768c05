package dev.pagoda.testutil;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Locations of the shared models and references the tests check against. */
public final class Shared {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Shared() {
    }

    public static Path root() {
        String p = System.getProperty("pagoda.shared");
        Path path = p != null ? Path.of(p) : Path.of("../../shared");
        if (!Files.isDirectory(path)) throw new IllegalStateException("shared folder not found at " + path.toAbsolutePath());
        return path;
    }

    public static Path path(String relative) {
        return root().resolve(relative);
    }

    public static JsonNode json(String relative) {
        try {
            return JSON.readTree(path(relative).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
