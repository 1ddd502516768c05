package dev.pagoda.cli.plan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pagoda.PagodaException;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The bundled configs of popular models ({@code catalogue.json}: Hugging Face repo id to the
 * shape keys of its config.json). Looked up by the full id or the part after the slash, ignoring case.
 */
public final class Catalogue {
    private static final JsonNode ENTRIES = load();

    private Catalogue() {
    }

    private static JsonNode load() {
        try (InputStream in = Catalogue.class.getResourceAsStream("catalogue.json")) {
            if (in == null) throw new IllegalStateException("catalogue.json is missing from the jar");
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static List<String> names() {
        List<String> names = new ArrayList<>();
        ENTRIES.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** The entry's id, or null when the name is not in the catalogue. */
    public static String find(String name) {
        String wanted = name.toLowerCase(Locale.ROOT);
        for (String id : names()) {
            String lower = id.toLowerCase(Locale.ROOT);
            if (lower.equals(wanted) || lower.substring(lower.indexOf('/') + 1).equals(wanted)) return id;
        }
        return null;
    }

    public static ModelSpec spec(String name) {
        String id = find(name);
        if (id == null) throw new PagodaException("'" + name + "' is neither a file nor a catalogue model (see pagoda plan --list)");
        return ModelSpecReader.fromHfConfig(id, ENTRIES.get(id), null);
    }
}
