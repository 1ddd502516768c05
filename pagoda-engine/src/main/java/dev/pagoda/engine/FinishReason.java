package dev.pagoda.engine;

/** Why a sequence ended, spelled as vLLM and OpenAI spell it. */
public enum FinishReason {
    /** EOS or a stop token. */
    STOP("stop"),
    /** max_tokens or the model's context length reached. */
    LENGTH("length"),
    /** Aborted by the caller. */
    ABORT("abort"),
    /** The engine failed while running the request. */
    ERROR("error");

    public final String label;

    FinishReason(String label) {
        this.label = label;
    }

    @Override
    public String toString() {
        return label;
    }
}
