package dev.pagoda.tokenizer.template;

import java.util.LinkedHashMap;
import java.util.Map;

/** The mutable object made by {@code namespace(...)}: the only thing {@code {% set a.b = ... %}} may assign to. */
final class Namespace {
    final Map<Object, Object> attributes = new LinkedHashMap<>();
}
