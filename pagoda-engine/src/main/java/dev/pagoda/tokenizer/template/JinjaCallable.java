package dev.pagoda.tokenizer.template;

import java.util.List;
import java.util.Map;

/** Anything a template can call: global functions, bound methods, macros and {@code loop.cycle}. */
@FunctionalInterface
interface JinjaCallable {
    Object call(List<Object> args, Map<String, Object> kwargs);
}
