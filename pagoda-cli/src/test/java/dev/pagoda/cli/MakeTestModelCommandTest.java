package dev.pagoda.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.IntSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MakeTestModelCommandTest {
    private static final String QWEN_TOKENIZER =
            Path.of(System.getProperty("pagoda.shared", "../../shared"), "tokenizers", "qwen2.5").toString();

    @TempDir
    Path dir;

    /** Runs {@code code}, returning its exit code and what it printed to stdout and stderr. */
    private record Run(int code, String out, String err) {
        static Run of(IntSupplier code) {
            PrintStream stdout = System.out, stderr = System.err;
            ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            try {
                int c = code.getAsInt();
                return new Run(c, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
            } finally {
                System.setOut(stdout);
                System.setErr(stderr);
            }
        }
    }

    private static Run pagoda(String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "make-test-model";
        System.arraycopy(args, 0, all, 1, args.length);
        return Run.of(() -> Main.run(all));
    }

    @Test
    void writesASmallModel() throws Exception {
        Path out = dir.resolve("model");
        Run r = pagoda("--like", "qwen2.5-0.5b", "--layers", "2", "--hidden", "64", "--dtype", "f32", "--seed", "5",
                "--tokenizer", QWEN_TOKENIZER, "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        for (String f : new String[] {"config.json", "generation_config.json", "README.md", "tokenizer.json",
                "tokenizer_config.json", "model.safetensors"}) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f);
        }
        assertTrue(r.out().contains("9,892,544 parameters"), r.out()); // 151936*64 embedding + 2 * 84,288 per layer + 64
        assertTrue(Files.readString(out.resolve("config.json")).contains("\"float32\""));

        Run again = pagoda("--like", "qwen2.5-0.5b", "--tokenizer", QWEN_TOKENIZER, "--out", out.toString());
        assertEquals(1, again.code());
        assertTrue(again.err().contains("not empty; use --force"), again.err());

        Run sharded = pagoda("--like", "qwen2.5-0.5b", "--layers", "2", "--hidden", "64", "--shard-size", "10MB",
                "--tokenizer", QWEN_TOKENIZER, "--out", out.toString(), "--force");
        assertEquals(0, sharded.code(), sharded.err());
        assertTrue(Files.isRegularFile(out.resolve("model-00001-of-00002.safetensors")));
        assertTrue(Files.isRegularFile(out.resolve("model.safetensors.index.json")));
        assertFalse(Files.exists(out.resolve("model.safetensors")), "the stale single file is removed");
    }

    @Test
    void reportsUsageErrors() {
        Path out = dir.resolve("m");
        Run noTokenizer = pagoda("--like", "qwen2.5-0.5b", "--out", out.toString());
        assertEquals(1, noTokenizer.code());
        assertTrue(noTokenizer.err().contains("--tokenizer DIR is required"), noTokenizer.err());

        Run unknown = pagoda("--like", "gpt-9", "--tokenizer", QWEN_TOKENIZER, "--out", out.toString());
        assertEquals(1, unknown.code());
        assertTrue(unknown.err().contains("unknown model 'gpt-9' (known: qwen2.5-0.5b, qwen3-0.6b, llama-3.2-1b)"), unknown.err());

        Run badHidden = pagoda("--like", "qwen3-0.6b", "--hidden", "100", "--tokenizer", QWEN_TOKENIZER, "--out", out.toString());
        assertEquals(1, badHidden.code());
        assertTrue(badHidden.err().contains("multiple of 64"), badHidden.err());

        Run badDtype = pagoda("--like", "qwen3-0.6b", "--dtype", "q4_0", "--tokenizer", QWEN_TOKENIZER, "--out", out.toString());
        assertEquals(1, badDtype.code());
        assertFalse(Files.exists(out), "nothing written on errors");
    }

    @Test
    void helpAndDryRun() {
        Run help = pagoda("--help");
        assertEquals(0, help.code());
        assertTrue(help.out().contains("--hidden N"), help.out());
        Run dry = pagoda("--like", "qwen2.5-0.5b", "--dry-run");
        assertEquals(0, dry.code(), dry.err());
        assertTrue(dry.out().contains("494,032,768 parameters, 988,065,536 bytes of BF16 weights"), dry.out());
    }

    @Test
    void parsesShardSizes() {
        assertEquals(500_000_000L, MakeTestModelCommand.size("500MB"));
        assertEquals(2_000_000_000L, MakeTestModelCommand.size("2gb"));
        assertEquals(4096L, MakeTestModelCommand.size("4096"));
        assertThrows(IllegalArgumentException.class, () -> MakeTestModelCommand.size("1.5GB"));
        assertThrows(IllegalArgumentException.class, () -> MakeTestModelCommand.size("0"));
    }
}
