package dev.pagoda.tokenizer.template;

import java.util.List;

/** The {@code loop} variable inside a for loop. */
final class LoopContext {
    private static final Object NOT_CALLED = new Object();

    private final List<Object> items;
    private final int depth;
    private int index0 = -1;
    private Object lastChanged = NOT_CALLED;

    LoopContext(List<Object> items, int depth) {
        this.items = items;
        this.depth = depth;
    }

    void advance() {
        index0++;
    }

    Object attribute(String name) {
        int length = items.size();
        return switch (name) {
            case "index0" -> (long) index0;
            case "index" -> (long) index0 + 1;
            case "revindex" -> (long) (length - index0);
            case "revindex0" -> (long) (length - index0 - 1);
            case "first" -> index0 == 0;
            case "last" -> index0 == length - 1;
            case "length" -> (long) length;
            case "depth" -> (long) depth;
            case "depth0" -> (long) depth - 1;
            case "previtem" -> index0 > 0 ? items.get(index0 - 1) : Undefined.hint("there is no previous item");
            case "nextitem" -> index0 < length - 1 ? items.get(index0 + 1) : Undefined.hint("there is no next item");
            case "cycle" -> (JinjaCallable) (args, kwargs) -> {
                if (args.isEmpty()) {
                    throw new TemplateException("no items for cycling given");
                }
                return args.get(index0 % args.size());
            };
            case "changed" -> (JinjaCallable) (args, kwargs) -> {
                PyTuple value = new PyTuple(args);
                boolean changed = lastChanged == NOT_CALLED || !Py.eq(lastChanged, value);
                lastChanged = value;
                return changed;
            };
            default -> Undefined.member(this, name);
        };
    }

    @Override
    public String toString() {
        return "<LoopContext " + (index0 + 1) + "/" + items.size() + ">";
    }
}
