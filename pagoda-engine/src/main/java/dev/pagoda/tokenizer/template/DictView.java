package dev.pagoda.tokenizer.template;

import java.util.List;

/** The result of {@code dict.items()/keys()/values()}: iterable and sized, but not indexable. */
record DictView(String typeName, List<Object> items) {
}
