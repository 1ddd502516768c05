package dev.pagoda.server;

import dev.pagoda.engine.CompletionOutput;
import dev.pagoda.engine.FinishReason;
import dev.pagoda.engine.Logprob;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * One choice as the engine's cumulative outputs arrive. The engine matches stop strings (text
 * cut, tokens counted up to the one that completed the match); here, for streaming, text that
 * could still turn out to be the start of a stop string is held back from {@link #takeDelta}
 * until it cannot (nothing is held back with include_stop_str_in_output, since the stop string
 * is sent anyway).
 */
public final class ChoiceText {
    private final List<String> stops;
    private String text = "";
    private int[] tokenIds = new int[0];
    private List<Map<Integer, Logprob>> logprobs;
    private boolean finished;
    private String finishReason;
    private Object stopReason;
    private int emitted;
    private int emittedTokens;

    public ChoiceText(List<String> stops, boolean includeStop) {
        this.stops = includeStop ? List.of() : stops;
    }

    /** Takes the engine's newest cumulative output for this sequence; ignored once the choice is finished. */
    public void update(CompletionOutput out) {
        if (finished) return;
        text = out.text();
        tokenIds = out.tokenIds();
        logprobs = out.logprobs();
        if (out.finishReason() != null) {
            finished = true;
            finishReason = out.finishReason() == FinishReason.ERROR ? "error" : out.finishReason().label;
            stopReason = out.stopReason();
        }
    }

    /** The text not yet taken that can safely be sent (all of it once the choice is finished). */
    public String takeDelta() {
        int end = finished ? text.length() : text.length() - heldBack();
        if (end <= emitted) return "";
        String d = text.substring(emitted, end);
        emitted = end;
        return d;
    }

    /** Token ids produced since the previous call (for streamed log-probabilities). */
    public int[] takeNewTokens() {
        int[] d = Arrays.copyOfRange(tokenIds, emittedTokens, tokenIds.length);
        emittedTokens = tokenIds.length;
        return d;
    }

    /** Length of the longest suffix of the text that is a proper prefix of a stop string. */
    private int heldBack() {
        int longest = 0;
        int n = text.length();
        for (String s : stops) {
            for (int k = Math.min(s.length() - 1, n); k > longest; k--) {
                if (text.regionMatches(n - k, s, 0, k)) {
                    longest = k;
                    break;
                }
            }
        }
        return longest;
    }

    public String text() {
        return text;
    }

    public int[] tokenIds() {
        return tokenIds;
    }

    /** Log-probabilities of the tokens in {@link #tokenIds} (null when not requested). */
    public List<Map<Integer, Logprob>> logprobs() {
        return logprobs;
    }

    public boolean finished() {
        return finished;
    }

    /** "stop", "length", "abort" or "error"; null while running. */
    public String finishReason() {
        return finishReason;
    }

    /** The stop string or stop token id that ended the choice; null for EOS or other reasons. */
    public Object stopReason() {
        return stopReason;
    }
}
