package dev.pagoda.sampling.guided;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pagoda.config.GenerationConfig;
import dev.pagoda.model.ForwardBatch;
import dev.pagoda.model.loader.DType;
import dev.pagoda.model.synthetic.ModelShape;
import dev.pagoda.model.synthetic.SyntheticModel;
import dev.pagoda.model.synthetic.TokenizerFiles;
import dev.pagoda.sampling.Sampler;
import dev.pagoda.sampling.SamplingParams;
import dev.pagoda.testutil.Shared;
import dev.pagoda.testutil.TestModel;
import dev.pagoda.tokenizer.IncrementalDetokenizer;
import dev.pagoda.tokenizer.Tokenizer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Guided decoding driven by real models' logits: the bundled stories260K (SentencePiece with
 * byte fallback, 512 tokens) and a random model with the real Qwen2.5 tokenizer (byte-level BPE,
 * 151,665 tokens). Token by token, the grammar's mask is applied to the logits, the engine's
 * Sampler draws at temperature 1 with a seeded RNG, and the state advances, until EOS. Every
 * output must end with EOS in an accepting state (finish_reason "stop"), parse, and validate
 * against its schema with networknt's validator; regex outputs must match java.util.regex,
 * choices must be one of the choices.
 */
class GuidedGenerationTest {
    static final int SCHEMAS = 110;
    static final SamplingParams TEMPERATURE_1 = SamplingParams.builder().temperature(1.0).build().withDefaults(GenerationConfig.EMPTY);
    static final List<String> REGEXES = List.of("\\d{3}-\\d{4}", "(cat|dog|bird)s?", "[A-Z][a-z]{2,8}( [A-Z][a-z]{2,8})?",
            "(0|[1-9]\\d{0,3})\\.\\d{2}", "[a-f0-9]{8}", "(yes|no), because [a-z ]{5,20}\\.", "Grüße|日本語|😀{1,2}");
    static final List<List<String>> CHOICES = List.of(List.of("positive", "negative", "neutral"),
            List.of("A", "B", "C", "D"), List.of("yes", "no", "yes, definitely", "é"));

    @TempDir
    static Path tmp;
    static Model stories;
    static Model qwen;

    /** A model, its tokenizer and a compiler for its vocabulary. */
    record Model(String name, TestModel model, Tokenizer tokenizer, GrammarCompiler compiler) {
        static Model open(String name, Path path) {
            TestModel m = new TestModel(path, null, 2, 16, 40, 256);
            Tokenizer t = Tokenizer.load(path);
            return new Model(name, m, t, GrammarCompiler.of(t, m.vocab));
        }
    }

    @BeforeAll
    static void open() throws IOException {
        stories = Model.open("stories260K", Shared.path("models/stories260K/stories260K.gguf"));
        Path dir = tmp.resolve("qwen-like");
        ModelShape shape = ModelShape.like("qwen2.5-0.5b").withLayers(2).withHidden(64);
        new SyntheticModel(shape, DType.BF16, 7, 0).write(TokenizerFiles.read(Shared.path("tokenizers/qwen2.5")), dir);
        qwen = Model.open("qwen2.5-synthetic", dir);
    }

    @AfterAll
    static void close() {
        if (stories != null) stories.model().close();
        if (qwen != null) qwen.model().close();
    }

    /** One guided generation: the output token ids (EOS excluded), or a failure if it did not stop. */
    static Output generate(Model m, CompiledGrammar grammar, SplittableRandom rng) {
        TestModel tm = m.model();
        int[] prompt = m.tokenizer().encode("Answer:", true);
        int capacity = tm.cache.numBlocks() * 16;
        int[] table = IntStream.range(0, tm.cache.numBlocks()).toArray();
        float[] logits = new float[tm.vocab];
        int n = prompt.length;
        tm.decoder.forward(new ForwardBatch(n, prompt, IntStream.range(0, n).toArray(), new int[n], new int[][]{table},
                new int[]{n - 1}), tm.cache, logits);
        Sampler sampler = new Sampler(tm.vocab);
        GuidedState state = grammar.newState();
        List<Integer> out = new ArrayList<>();
        while (n + out.size() < capacity) {
            state.applyMask(logits, 0);
            int token = sampler.sample(logits, 0, TEMPERATURE_1, rng);
            state.advance(token);
            if (state.isFinished()) return new Output(prompt, out.stream().mapToInt(Integer::intValue).toArray());
            out.add(token);
            tm.decoder.forward(new ForwardBatch(1, new int[]{token}, new int[]{n + out.size() - 1}, new int[1],
                    new int[][]{table}, new int[]{0}), tm.cache, logits);
        }
        throw new AssertionError(m.name() + ": no EOS within " + capacity + " positions; output so far "
                + m.tokenizer().decode(out.stream().mapToInt(Integer::intValue).toArray(), false));
    }

    record Output(int[] prompt, int[] ids) {
    }

    /** The output's text two ways, which must agree: the tokens' bytes as UTF-8, and the streaming detokenizer after the prompt. */
    static String text(Model m, Output o) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int id : o.ids()) bytes.writeBytes(m.tokenizer().tokenBytes(id));
        String fromBytes = RegexParserTest.utf8(bytes.toByteArray());
        IncrementalDetokenizer d = new IncrementalDetokenizer(m.tokenizer(), true, o.prompt());
        StringBuilder streamed = new StringBuilder();
        for (int id : o.ids()) streamed.append(d.add(id));
        streamed.append(d.finish());
        assertEquals(fromBytes, streamed.toString(), m.name() + ": detokenized text differs from the tokens' bytes");
        return fromBytes;
    }

    static void schemas(Model m, long seed, int samplesEach) {
        SchemaGenerator gen = new SchemaGenerator(seed);
        SplittableRandom rng = new SplittableRandom(seed);
        for (int i = 0; i < SCHEMAS; i++) {
            JsonNode schema = gen.next();
            CompiledGrammar g = m.compiler().compile(GuidedSpec.JsonSchema.of(schema));
            for (int k = 0; k < samplesEach; k++) {
                String text = text(m, generate(m, g, rng));
                assertNull(SchemaValidation.problems(schema, text), m.name() + " schema " + i + ": " + schema + "\noutput: " + text);
            }
        }
    }

    static void regexesAndChoices(Model m, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        for (String regex : REGEXES) {
            CompiledGrammar g = m.compiler().compile(new GuidedSpec.Regex(regex));
            for (int k = 0; k < 4; k++) {
                String text = text(m, generate(m, g, rng));
                assertTrue(Pattern.matches(regex, text), m.name() + ": '" + text + "' does not match " + regex);
            }
        }
        for (List<String> choices : CHOICES) {
            CompiledGrammar g = m.compiler().compile(new GuidedSpec.Choice(choices));
            for (int k = 0; k < 4; k++) {
                String text = text(m, generate(m, g, rng));
                assertTrue(choices.contains(text), m.name() + ": '" + text + "' is not one of " + choices);
            }
        }
        CompiledGrammar any = m.compiler().compile(new GuidedSpec.JsonObject());
        assertTrue(any.stateCount() > 100);
    }

    @Test
    void schemasOnStories260K() {
        schemas(stories, 100, 2);
    }

    @Test
    void schemasOnQwenTokenizer() {
        schemas(qwen, 200, 1);
    }

    @Test
    void regexesAndChoicesOnBothModels() {
        regexesAndChoices(stories, 300);
        regexesAndChoices(qwen, 400);
    }
}
