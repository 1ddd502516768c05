package dev.pagoda.tokenizer.template;

import dev.pagoda.tokenizer.template.Ast.Stmt;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/**
 * A compiled Hugging Face chat template. Renders exactly as Python transformers does: Jinja2's
 * ImmutableSandboxedEnvironment with {@code trim_blocks}, {@code lstrip_blocks} and loop controls,
 * plus the {@code raise_exception}, {@code strftime_now} globals and the {@code tojson} override.
 * Thread-safe: rendering keeps all state per call.
 */
public final class ChatTemplate {
    private final List<Stmt> body;

    private ChatTemplate(List<Stmt> body) {
        this.body = body;
    }

    /** Parses {@code source}; syntax errors raise {@link TemplateException} naming the line. */
    public static ChatTemplate compile(String source) {
        return new ChatTemplate(Parser.parse(source));
    }

    /**
     * Renders with the given variables: plain Java values as Jackson produces them (Map, List,
     * String, numbers, Boolean, null). Template errors, including {@code raise_exception(msg)},
     * raise {@link TemplateException}.
     */
    public String render(Map<String, Object> context) {
        return render(context, Clock.systemDefaultZone());
    }

    /** As {@link #render(Map)}, with the clock {@code strftime_now} reads. */
    public String render(Map<String, Object> context, Clock clock) {
        try {
            return new Interpreter(clock).render(body, context);
        } catch (ArithmeticException e) {
            throw new TemplateException("arithmetic error in chat template: " + e.getMessage());
        } catch (StackOverflowError e) {
            throw new TemplateException("chat template recursion too deep");
        }
    }
}
