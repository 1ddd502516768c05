package dev.pagoda.sampling.guided;

/**
 * A constraint that cannot be compiled: invalid (a malformed regex or schema) or using a feature
 * guided decoding does not support; the message names the feature and where it occurs. The
 * server answers it with HTTP 400.
 */
public final class GrammarException extends IllegalArgumentException {
    public GrammarException(String message) {
        super(message);
    }

    static GrammarException unsupported(String feature, String where) {
        return new GrammarException("unsupported " + feature + (where == null || where.isEmpty() ? "" : " at " + where));
    }
}
