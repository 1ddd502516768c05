package dev.pagoda.server;

import dev.pagoda.engine.CompletionOutput;
import dev.pagoda.engine.FinishReason;
import dev.pagoda.engine.Logprob;
import dev.pagoda.tokenizer.IncrementalDetokenizer;
import dev.pagoda.tokenizer.Tokenizer;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The visible text of one choice as the engine's cumulative outputs arrive, with stop strings
 * applied as vLLM applies them: checked after every token, the output cut before the match
 * (or after it with include_stop_str_in_output), the tokens counted up to the one that completed
 * it. Text that could still turn out to be the start of a stop string is held back from
 * {@link #takeDelta} until it cannot.
 *
 * <p>With stop strings the text is detokenized here, token by token, exactly as the engine does
 * it (same detokenizer, same prompt context), since the engine's coalesced outputs do not say
 * which token produced which text; without stop strings the engine's text is used as is.
 */
public final class ChoiceText {
    private final List<String> stops;
    private final boolean includeStop;
    private final int maxStopLength;
    private final IncrementalDetokenizer detokenizer;
    private final StringBuilder text = new StringBuilder();
    private int tokensSeen;
    private int[] tokenIds = new int[0];
    private List<Map<Integer, Logprob>> logprobs;
    private boolean finished;
    private String finishReason;
    private Object stopReason;
    private int emitted;
    private int emittedTokens;

    public ChoiceText(Tokenizer tokenizer, int[] promptTokenIds, List<String> stops, boolean includeStop) {
        this.stops = stops;
        this.includeStop = includeStop;
        this.maxStopLength = stops.stream().mapToInt(String::length).max().orElse(0);
        this.detokenizer = stops.isEmpty() ? null : new IncrementalDetokenizer(tokenizer, true, promptTokenIds);
    }

    /** Takes the engine's newest cumulative output for this sequence; ignored once the choice is finished. */
    public void update(CompletionOutput out) {
        if (finished) return;
        int[] ids = out.tokenIds();
        if (detokenizer == null) {
            text.setLength(0);
            text.append(out.text());
            tokensSeen = ids.length;
        } else {
            while (tokensSeen < ids.length) {
                int searchFrom = Math.max(0, text.length() - maxStopLength + 1);
                text.append(detokenizer.add(ids[tokensSeen++]));
                if (matchStop(searchFrom)) break;
            }
            if (!finished && out.finishReason() != null) {
                int searchFrom = Math.max(0, text.length() - maxStopLength + 1);
                text.append(detokenizer.finish());
                matchStop(searchFrom);
            }
        }
        tokenIds = Arrays.copyOf(ids, tokensSeen);
        logprobs = out.logprobs() == null ? null : out.logprobs().subList(0, Math.min(tokensSeen, out.logprobs().size()));
        if (!finished && out.finishReason() != null) {
            finished = true;
            finishReason = out.finishReason() == FinishReason.ERROR ? "error" : out.finishReason().label;
            stopReason = out.stopReason();
        }
    }

    private boolean matchStop(int searchFrom) {
        int best = -1;
        String hit = null;
        for (String s : stops) {
            int at = text.indexOf(s, searchFrom);
            if (at >= 0 && (best < 0 || at < best)) {
                best = at;
                hit = s;
            }
        }
        if (hit == null) return false;
        text.setLength(includeStop ? best + hit.length() : best);
        finished = true;
        finishReason = "stop";
        stopReason = hit;
        return true;
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
                if (CharSequence.compare(text.subSequence(n - k, n), s.subSequence(0, k)) == 0) {
                    longest = k;
                    break;
                }
            }
        }
        return longest;
    }

    public String text() {
        return text.toString();
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
