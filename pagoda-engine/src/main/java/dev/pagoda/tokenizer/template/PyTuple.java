package dev.pagoda.tokenizer.template;

import java.util.List;

/** A Python tuple: like a list but printed with parentheses and never equal to a list. */
record PyTuple(List<Object> items) {
}
