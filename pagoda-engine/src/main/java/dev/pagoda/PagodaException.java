package dev.pagoda;

/**
 * A failure the user can act on (a bad model file, an invalid flag or request): its message
 * is shown as is, without a stack trace.
 */
public class PagodaException extends RuntimeException {
    public PagodaException(String message) {
        super(message);
    }

    public PagodaException(String message, Throwable cause) {
        super(message, cause);
    }
}
