package dev.pagoda.sampling;

/** A sampling parameter out of its range: vLLM's message, and the request field it names (for a 400's {@code param}). */
public final class InvalidParameterException extends IllegalArgumentException {
    private final String field;

    public InvalidParameterException(String field, String message) {
        super(message);
        this.field = field;
    }

    /** The request field, with the API's name ({@code top_p}, {@code logit_bias}, ...). */
    public String field() {
        return field;
    }
}
