package dev.pagoda.engine;

import dev.pagoda.cache.KvCache;
import dev.pagoda.kernel.WorkerPool;
import dev.pagoda.model.Decoder;
import dev.pagoda.model.ForwardBatch;

/** The model runner of a real model: the decoder over its paged KV cache. */
public record DecoderRunner(Decoder decoder, KvCache cache) implements ModelRunner {
    @Override
    public int vocabSize() {
        return decoder.config().vocabSize();
    }

    @Override
    public int maxTokens() {
        return decoder.maxTokens();
    }

    @Override
    public int maxLogitRows() {
        return decoder.maxLogitRows();
    }

    @Override
    public int numBlocks() {
        return cache.numBlocks();
    }

    @Override
    public int blockSize() {
        return cache.blockSize();
    }

    @Override
    public void copyBlock(int src, int dst) {
        cache.copyBlock(src, dst);
    }

    @Override
    public void execute(ForwardBatch batch, float[] logits) {
        decoder.forward(batch, cache, logits);
    }

    @Override
    public WorkerPool workers() {
        return decoder.pool();
    }
}
