package dev.pagoda.tokenizer.template;

import dev.pagoda.PagodaException;

/**
 * A chat template failed to compile or to render. For {@code raise_exception(msg)} the message is
 * exactly {@code msg}, so callers can surface the template author's text unchanged.
 */
public final class TemplateException extends PagodaException {
    public TemplateException(String message) {
        super(message);
    }

    static TemplateException syntax(int line, String message) {
        return new TemplateException("chat template syntax error at line " + line + ": " + message);
    }
}
