package dev.pagoda.tokenizer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds added tokens in text: leftmost match first, the longest one where several start at the
 * same place (the Rust library's Aho-Corasick "leftmost-longest"), through a character trie.
 */
final class AddedTokenMatcher {
    /** A piece of the input: plain text ({@code token == null}) or an added token. */
    record Segment(String text, AddedToken token) {
    }

    private static final class Node {
        final Map<Character, Node> children = new HashMap<>(4);
        AddedToken token;
    }

    private final Node root = new Node();
    private final boolean empty;

    AddedTokenMatcher(List<AddedToken> tokens) {
        for (AddedToken t : tokens) {
            if (t.content().isEmpty()) continue;
            Node node = root;
            for (int i = 0; i < t.content().length(); i++) {
                node = node.children.computeIfAbsent(t.content().charAt(i), c -> new Node());
            }
            node.token = t;
        }
        empty = root.children.isEmpty();
    }

    List<Segment> split(String text) {
        List<Segment> out = new ArrayList<>();
        if (empty) {
            if (!text.isEmpty()) out.add(new Segment(text, null));
            return out;
        }
        int textStart = 0; // start of the pending plain text
        int i = 0;
        while (i < text.length()) {
            Node node = root;
            AddedToken best = null;
            int bestEnd = -1;
            for (int j = i; j < text.length(); j++) {
                node = node.children.get(text.charAt(j));
                if (node == null) break;
                if (node.token != null) {
                    best = node.token;
                    bestEnd = j + 1;
                }
            }
            if (best == null) {
                i++;
                continue;
            }
            int start = i;
            int end = bestEnd;
            if (best.lstrip()) while (start > textStart && isWhitespace(text.charAt(start - 1))) start--;
            if (best.rstrip()) while (end < text.length() && isWhitespace(text.charAt(end))) end++;
            if (start > textStart) out.add(new Segment(text.substring(textStart, start), null));
            out.add(new Segment(best.content(), best));
            textStart = end;
            i = end;
        }
        if (textStart < text.length()) out.add(new Segment(text.substring(textStart), null));
        return out;
    }

    /** Rust's {@code char::is_whitespace}: the Unicode White_Space property. */
    static boolean isWhitespace(char c) {
        if (c <= ' ') return c == ' ' || (c >= '\t' && c <= '\r');
        if (c == '\u0085') return true;
        int type = Character.getType(c);
        return type == Character.SPACE_SEPARATOR || type == Character.LINE_SEPARATOR
                || type == Character.PARAGRAPH_SEPARATOR;
    }
}
