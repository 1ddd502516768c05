package dev.pagoda.server;

/**
 * A request the server refuses, with the HTTP status and the OpenAI error body it becomes:
 * {@code {"error": {"message", "type", "param", "code"}}}.
 */
public final class ApiException extends RuntimeException {
    public final int status;
    public final String type;
    public final String param;

    public ApiException(int status, String type, String message, String param) {
        super(message);
        this.status = status;
        this.type = type;
        this.param = param;
    }

    /** 400 BadRequestError, the status vLLM gives every validation failure. */
    public static ApiException badRequest(String message, String param) {
        return new ApiException(400, "BadRequestError", message, param);
    }

    public static ApiException notFound(String message) {
        return new ApiException(404, "NotFoundError", message, null);
    }

    /** The type name for a status that has no more specific one. */
    public static String typeFor(int status) {
        return switch (status) {
            case 400 -> "BadRequestError";
            case 401 -> "AuthenticationError";
            case 404 -> "NotFoundError";
            case 405 -> "MethodNotAllowedError";
            case 413 -> "RequestTooLargeError";
            case 415 -> "UnsupportedMediaTypeError";
            case 503 -> "ServiceUnavailableError";
            default -> status >= 500 ? "InternalServerError" : "BadRequestError";
        };
    }
}
