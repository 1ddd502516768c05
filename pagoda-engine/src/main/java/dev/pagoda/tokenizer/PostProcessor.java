package dev.pagoda.tokenizer;

import java.util.List;

/** Adds the special tokens around an encoded text when {@code addSpecialTokens} is set. */
interface PostProcessor {
    int[] addSpecialTokens(int[] ids);

    PostProcessor NONE = ids -> ids;

    /** TemplateProcessing's single-sequence template, e.g. {@code <s> $A}: ids before and after the text. */
    record Template(int[] before, int[] after) implements PostProcessor {
        @Override
        public int[] addSpecialTokens(int[] ids) {
            int[] out = new int[before.length + ids.length + after.length];
            System.arraycopy(before, 0, out, 0, before.length);
            System.arraycopy(ids, 0, out, before.length, ids.length);
            System.arraycopy(after, 0, out, before.length + ids.length, after.length);
            return out;
        }
    }

    record Sequence(List<PostProcessor> steps) implements PostProcessor {
        @Override
        public int[] addSpecialTokens(int[] ids) {
            for (PostProcessor step : steps) ids = step.addSpecialTokens(ids);
            return ids;
        }
    }
}
