package dev.pagoda.tokenizer;

import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * What a tokenizer says about its use beyond splitting text: BOS/EOS ids, the special-token strings
 * a chat template refers to (bos_token, eos_token, unk_token, pad_token) and the chat template.
 */
record TokenizerConfig(OptionalInt bosTokenId, Set<Integer> eosTokenIds, Map<String, String> specialTokenStrings,
                       Optional<String> chatTemplate) {
}
