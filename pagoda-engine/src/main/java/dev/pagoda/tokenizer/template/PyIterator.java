package dev.pagoda.tokenizer.template;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * A one-shot Python iterator, which is what filters such as {@code select}, {@code map},
 * {@code unique} and {@code reverse} return. Like a Python generator it is always truthy, has no
 * length, cannot be indexed, and is empty once consumed.
 */
final class PyIterator {
    private final String typeName;
    private final Iterator<Object> source;

    PyIterator(String typeName, List<Object> items) {
        this.typeName = typeName;
        this.source = items.iterator();
    }

    String typeName() {
        return typeName;
    }

    /** The next item, or {@code exhausted} when there is none. */
    Object next(Object exhausted) {
        return source.hasNext() ? source.next() : exhausted;
    }

    /** The remaining items; the iterator is exhausted afterwards. */
    List<Object> drain() {
        List<Object> rest = new ArrayList<>();
        source.forEachRemaining(rest::add);
        return rest;
    }

    @Override
    public String toString() {
        return "<" + typeName + " object>";
    }
}
