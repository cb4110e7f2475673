package dev.magi.benchmarks;

import dev.magi.core.gguf.LlamaFileType;
import dev.magi.testkit.GgufWriter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Locale;

/**
 * A scan path shaped like a real model collection, in a temporary directory that {@link #close()}
 * deletes: publishers, each with repositories, each with one small GGUF file per quantization
 * ({@code root/publisher-07/Qwen2.5-7B-Instruct-ft123/Qwen2.5-7B-Instruct-ft123-Q4_K_M.gguf}).
 *
 * <p>Twenty quantizations per repository is what popular quantizers publish; the nesting gives the
 * walk directories to open, not just one flat listing. Every header is a real one (architecture,
 * basename, size label, finetune, file type, context length, six tensor infos, a chat template),
 * a bit under a kilobyte, without tensor data: the benchmark is about the walk and the header
 * reads, not about disk space.
 */
final class ModelTree implements AutoCloseable {
    static final int PUBLISHERS = 20;

    /** The quantizations of each repository: one file each. */
    private static final List<LlamaFileType> QUANTIZATIONS = List.of(
            LlamaFileType.Q2_K, LlamaFileType.Q3_K_S, LlamaFileType.Q3_K_M, LlamaFileType.Q3_K_L,
            LlamaFileType.Q4_0, LlamaFileType.Q4_K_S, LlamaFileType.Q4_K_M, LlamaFileType.Q5_K_S,
            LlamaFileType.Q5_K_M, LlamaFileType.Q6_K, LlamaFileType.Q8_0, LlamaFileType.F16,
            LlamaFileType.BF16, LlamaFileType.IQ2_XXS, LlamaFileType.IQ2_M, LlamaFileType.IQ3_XS,
            LlamaFileType.IQ3_M, LlamaFileType.IQ4_XS, LlamaFileType.IQ4_NL, LlamaFileType.IQ1_M);

    /** Name prefix, architecture and chat template marker of each family. */
    private record Family(String name, String architecture, boolean thinking) {
    }

    private static final List<Family> FAMILIES = List.of(
            new Family("Qwen2.5", "qwen2", false), new Family("Llama-3.1", "llama", false),
            new Family("gemma-2", "gemma2", false), new Family("Mistral", "llama", false),
            new Family("Phi-3.5", "phi3", false), new Family("DeepSeek-R1-Distill-Qwen", "qwen2", true),
            new Family("SmolLM2", "llama", false), new Family("starcoder2", "starcoder2", false),
            new Family("QwQ", "qwen2", true), new Family("Mixtral", "llama", false));
    private static final List<String> SIZES = List.of("0.5B", "1.5B", "3B", "7B", "8B", "14B", "32B", "70B");
    private static final List<String> VARIANTS = List.of("Instruct", "Coder-Instruct", "Chat", "Base");
    private static final long[] CONTEXTS = {4096, 8192, 32768, 131072};

    private final Path directory;
    private final Path root;
    private final int files;
    private final int directories;

    private ModelTree(Path directory, Path root, int files, int directories) {
        this.directory = directory;
        this.root = root;
        this.files = files;
        this.directories = directories;
    }

    /**
     * Writes {@code files} models under a new temporary directory inside {@code parent} (the system's
     * temporary directory when null).
     */
    static ModelTree create(Path parent, int files) throws IOException {
        Path directory = parent == null ? Files.createTempDirectory("magi-bench-")
                : Files.createTempDirectory(Files.createDirectories(parent), "magi-bench-");
        ModelTree tree = new ModelTree(directory, directory.resolve("models"), files,
                1 + PUBLISHERS + repositories(files));
        try {
            tree.write();
            syncToDisk();
        } catch (IOException | RuntimeException e) {
            tree.close();
            throw e;
        }
        return tree;
    }

    /**
     * Writes the new files out before anything is measured. Otherwise the kernel writes them back
     * some 30 seconds later, in the middle of the measurements, and scans that happen to run then
     * take several times as long (seen: fresh-JVM cold scans of 0.7 s and of 3.3 s in one run).
     * {@code sync} is the portable way from Java; where it is missing, the run goes on without it.
     */
    private static void syncToDisk() {
        try {
            new ProcessBuilder("sync").inheritIO().start().waitFor();
        } catch (IOException e) {
            // No sync command (not a Unix): measurements may then meet the write-back.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static int quantizationsPerRepository() {
        return QUANTIZATIONS.size();
    }

    private static int repositories(int files) {
        return (files + QUANTIZATIONS.size() - 1) / QUANTIZATIONS.size();
    }

    private void write() throws IOException {
        int written = 0;
        for (int repo = 0; written < files; repo++) {
            Family family = FAMILIES.get(repo % FAMILIES.size());
            String size = SIZES.get(repo / FAMILIES.size() % SIZES.size());
            String variant = VARIANTS.get(repo / (FAMILIES.size() * SIZES.size()) % VARIANTS.size());
            // The repository number keeps names unique, so ids are the names and not path hashes.
            String name = family.name() + "-" + size + "-" + variant + "-ft" + repo;
            Path dir = Files.createDirectories(root.resolve(String.format(Locale.ROOT, "publisher-%02d",
                    repo % PUBLISHERS)).resolve(name));
            GgufWriter template = GgufWriter.typicalModel(family.architecture(), name)
                    .putString("general.basename", family.name())
                    .putString("general.size_label", size)
                    .putString("general.finetune", variant)
                    .putUint32(family.architecture() + ".context_length", CONTEXTS[repo % CONTEXTS.length])
                    .putString("tokenizer.chat_template", family.thinking()
                            ? "{{ '<|im_start|>assistant\\n<think>\\n' }}" : "{{ '<|im_start|>assistant\\n' }}");
            for (int q = 0; q < QUANTIZATIONS.size() && written < files; q++, written++) {
                LlamaFileType quantization = QUANTIZATIONS.get(q);
                template.copy().putUint32("general.file_type", quantization.id())
                        .writeTo(dir.resolve(name + "-" + quantization.name() + ".gguf"));
            }
        }
    }

    /** The scan path. */
    Path root() {
        return root;
    }

    /** The temporary directory holding the scan path, free for other scratch files. */
    Path directory() {
        return directory;
    }

    int files() {
        return files;
    }

    /** Directories under (and including) the scan path. */
    int directories() {
        return directories;
    }

    @Override
    public void close() {
        try {
            deleteRecursively(directory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + directory, e);
        }
    }

    static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        Files.walkFileTree(path, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
