package dev.magi.core.discovery;

import dev.magi.core.gguf.GgufFormatException;
import dev.magi.core.gguf.GgufReader;
import dev.magi.core.naming.FileNameParser;
import dev.magi.core.naming.NameFacts;
import dev.magi.core.naming.SplitSuffix;
import dev.magi.spi.DiscoveredModel;
import dev.magi.spi.MetadataSource;
import dev.magi.spi.Problem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Walks the scan path and turns GGUF files into models, by the rules of docs/discovery.md.
 *
 * <p>The header is the truth and the file name the fallback. Split sets become one model,
 * projectors are paired with their model, and files that are not runnable models (adapters,
 * imatrix files, vocabularies, partial downloads) are reported with a reason instead of listed.
 * Headers are cached by path, size and modification time, so a rescan of an unchanged tree reads
 * no file. One scanner may be used by one scan at a time; the registry serialises scans.
 */
public final class ModelScanner {
    /** Hidden directories below the scan path (.git, .cache, a downloader's staging) are not models. */
    static boolean isSkippedDirectory(Path dir, Path root) {
        return !dir.equals(root) && dir.getFileName().toString().startsWith(".");
    }

    private static final Logger LOG = LoggerFactory.getLogger(ModelScanner.class);

    private final Map<Path, CachedRead> cache = new ConcurrentHashMap<>();
    /** What each file set turned into at the last scan, by its first file; replaced by every scan. */
    private volatile Map<Path, Description> descriptions = Map.of();
    private final Consumer<List<Path>> afterWalk;

    public ModelScanner() {
        this(paths -> { });
    }

    /** For tests: {@code afterWalk} runs between listing the files and reading them. */
    ModelScanner(Consumer<List<Path>> afterWalk) {
        this.afterWalk = afterWalk;
    }

    /** Walks {@code root} and describes every model found. Never throws for a bad file. */
    public ScanResult scan(Path root) {
        long started = System.nanoTime();
        Path scanPath = root.toAbsolutePath().normalize();
        if (!Files.isDirectory(scanPath)) {
            LOG.warn("Scan path {} does not exist or is not a directory; the registry is empty", scanPath);
            cache.clear();
            descriptions = Map.of();
            return new ScanResult(scanPath, false, List.of(), List.of(), Duration.ofNanos(System.nanoTime() - started));
        }
        List<SkippedFile> skipped = new ArrayList<>();
        List<Candidate> candidates = walk(scanPath, skipped);
        afterWalk.accept(candidates.stream().map(Candidate::path).toList());
        readHeaders(candidates);

        Map<Path, CachedRead> reads = new HashMap<>();
        List<Candidate> present = new ArrayList<>();
        for (Candidate candidate : candidates) {
            CachedRead read = cache.get(candidate.path());
            if (read != null && read.disappeared()) {
                skipped.add(skip(candidate.path(), "the file disappeared during the scan"));
                cache.remove(candidate.path());
                continue;
            }
            reads.put(candidate.path(), read);
            present.add(candidate);
        }
        cache.keySet().retainAll(reads.keySet());

        List<DiscoveredModel> models = new ArrayList<>();
        List<Projector> projectors = new ArrayList<>();
        Map<Path, Description> described = new HashMap<>();
        for (List<Candidate> set : groupSplitSets(present)) {
            // A set whose files all kept their size and time is described as before: parsing names
            // again would make an idle rescan cost many times the walk.
            Path key = set.get(0).path();
            Description description = descriptions.get(key);
            if (description == null || !description.set().equals(set)) {
                description = new Description(List.copyOf(set), new ArrayList<>(1), new ArrayList<>(1),
                        new ArrayList<>(1));
                describe(set, reads, description.models(), description.projectors(), description.skipped());
            }
            described.put(key, description);
            models.addAll(description.models());
            projectors.addAll(description.projectors());
            skipped.addAll(description.skipped());
        }
        descriptions = described;
        models = projectors.isEmpty() ? models : pairProjectors(models, projectors, skipped);
        models.sort(Comparator.comparing(DiscoveredModel::filePath));
        skipped.sort(Comparator.comparing(SkippedFile::path));
        Duration duration = Duration.ofNanos(System.nanoTime() - started);
        LOG.info("Scanned {}: {} models, {} files skipped, {} ms", scanPath, models.size(), skipped.size(),
                duration.toMillis());
        return new ScanResult(scanPath, true, models, skipped, duration);
    }

    // ---------------------------------------------------------------- the walk

    private List<Candidate> walk(Path root, List<SkippedFile> skipped) {
        List<Candidate> candidates = new ArrayList<>();
        Map<Object, Path> seenFiles = new HashMap<>();
        try {
            Files.walkFileTree(root, EnumSet.of(FileVisitOption.FOLLOW_LINKS), Integer.MAX_VALUE,
                    new SimpleFileVisitor<>() {
                        @Override
                        public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                            if (isSkippedDirectory(dir, root)) {
                                return FileVisitResult.SKIP_SUBTREE;
                            }
                            return FileVisitResult.CONTINUE;
                        }

                        @Override
                        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                            String lower = file.getFileName().toString().toLowerCase(Locale.ROOT);
                            if (lower.endsWith(".gguf")) {
                                if (attrs.isSymbolicLink()) {
                                    skipped.add(skip(file, "broken symbolic link"));
                                } else if (!attrs.isRegularFile()) {
                                    skipped.add(skip(file, "not a regular file"));
                                } else {
                                    Object key = attrs.fileKey();
                                    Path first = key == null ? null : seenFiles.putIfAbsent(key, file);
                                    if (first != null) {
                                        skipped.add(skip(file, "the same file as " + first + " (reached through a link)"));
                                    } else {
                                        // In nanoseconds where the file system keeps them, so that
                                        // a rewrite of the same length a moment later is still seen.
                                        candidates.add(new Candidate(file, file.getFileName().toString(),
                                                attrs.size(), attrs.lastModifiedTime().to(TimeUnit.NANOSECONDS)));
                                    }
                                }
                            } else if (isPartialDownload(lower)) {
                                skipped.add(skip(file, "partial download"));
                            }
                            return FileVisitResult.CONTINUE;
                        }

                        @Override
                        public FileVisitResult visitFileFailed(Path file, IOException e) {
                            if (e instanceof FileSystemLoopException) {
                                skipped.add(skip(file, "symbolic link loop (already visited)"));
                            } else if (e instanceof AccessDeniedException) {
                                skipped.add(skip(file, "permission denied"));
                            } else if (e instanceof NoSuchFileException) {
                                skipped.add(skip(file, "the file disappeared during the scan"));
                            } else {
                                skipped.add(skip(file, "cannot be read: " + e.getMessage()));
                            }
                            return FileVisitResult.CONTINUE;
                        }

                        @Override
                        public FileVisitResult postVisitDirectory(Path dir, IOException e) {
                            if (e != null) {
                                skipped.add(skip(dir, "directory listing failed: " + e.getMessage()));
                            }
                            return FileVisitResult.CONTINUE;
                        }
                    });
        } catch (IOException e) {
            // The visitor swallows per-file failures; only the root itself can end up here.
            skipped.add(skip(root, "cannot be walked: " + e.getMessage()));
        }
        return candidates;
    }

    private static boolean isPartialDownload(String lowerName) {
        // ".incomplete" alone: the Hugging Face cache names a blob being downloaded SHA.incomplete.
        return lowerName.endsWith(".gguf.part") || lowerName.endsWith(".gguf.download")
                || lowerName.endsWith(".incomplete") || lowerName.endsWith(".gguf.crdownload");
    }

    // ---------------------------------------------------------------- headers

    private void readHeaders(List<Candidate> candidates) {
        List<Candidate> toRead = new ArrayList<>();
        for (Candidate candidate : candidates) {
            CachedRead cached = cache.get(candidate.path());
            if (cached == null || cached.size() != candidate.size() || cached.modified() != candidate.modified()) {
                toRead.add(candidate);
            }
        }
        // Header reads are independent small reads: spread them over the cores.
        toRead.parallelStream().forEach(c -> cache.put(c.path(), read(c)));
    }

    private static CachedRead read(Candidate candidate) {
        try {
            return new CachedRead(candidate.size(), candidate.modified(),
                    HeaderFacts.of(GgufReader.read(candidate.path())), null, false);
        } catch (NoSuchFileException e) {
            return new CachedRead(candidate.size(), candidate.modified(), null, null, true);
        } catch (AccessDeniedException e) {
            return new CachedRead(candidate.size(), candidate.modified(), null, "permission denied", false);
        } catch (GgufFormatException e) {
            return new CachedRead(candidate.size(), candidate.modified(), null, e.getMessage(), false);
        } catch (IOException e) {
            return new CachedRead(candidate.size(), candidate.modified(), null,
                    "cannot be read: " + e.getMessage(), false);
        } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
            // The reader is built never to get here; if it does, one file must not end the scan.
            LOG.error("Unexpected failure reading the header of {}", candidate.path(), e);
            return new CachedRead(candidate.size(), candidate.modified(), null,
                    "cannot be read: " + e.getClass().getSimpleName(), false);
        }
    }

    // ---------------------------------------------------------------- split sets

    private static List<List<Candidate>> groupSplitSets(List<Candidate> candidates) {
        Map<String, List<Candidate>> sets = new TreeMap<>();
        List<List<Candidate>> result = new ArrayList<>();
        for (Candidate candidate : candidates) {
            var split = FileNameParser.splitSuffix(candidate.name());
            if (split.isEmpty()) {
                result.add(List.of(candidate));
            } else {
                String key = candidate.path().getParent() + "/" + FileNameParser.baseName(candidate.name())
                        .toLowerCase(Locale.ROOT) + "#" + split.get().count();
                sets.computeIfAbsent(key, k -> new ArrayList<>()).add(candidate);
            }
        }
        for (List<Candidate> set : sets.values()) {
            set.sort(Comparator.comparingInt(c -> FileNameParser.splitSuffix(c.name()).map(SplitSuffix::part).orElse(0)));
            result.add(set);
        }
        return result;
    }

    // ---------------------------------------------------------------- one model

    private void describe(List<Candidate> set, Map<Path, CachedRead> reads, List<DiscoveredModel> models,
                          List<Projector> projectors, List<SkippedFile> skipped) {
        Candidate first = set.get(0);
        CachedRead firstRead = reads.get(first.path());
        HeaderFacts header = firstRead.facts();
        String fileName = first.name();
        String lowerName = fileName.toLowerCase(Locale.ROOT);
        NameFacts name = FileNameParser.parse(fileName);
        String baseName = name.baseName();

        boolean isSplit = FileNameParser.splitSuffix(fileName).isPresent();
        String type = header == null ? null : header.type();
        if ("mmproj".equals(type) || (header != null && "clip".equals(header.architecture()))
                || lowerName.startsWith("mmproj") || hasWord(lowerName, "mmproj")) {
            projectors.add(new Projector(first.path(), baseName, first.size()));
            return;
        }
        if ("adapter".equals(type)) {
            skipped.add(skip(first.path(), "LoRA adapter (general.type = adapter), not a runnable model"));
            return;
        }
        if ("imatrix".equals(type) || lowerName.contains("imatrix")) {
            skipped.add(skip(first.path(), "importance matrix (imatrix) file, not a runnable model"));
            return;
        }
        if (header != null && header.tensorCount() == 0 && !isSplit) {
            skipped.add(skip(first.path(), "vocabulary only (no tensors), not a runnable model"));
            return;
        }

        List<Problem> problems = new ArrayList<>();
        List<String> parts = new ArrayList<>();
        long totalBytes = 0;
        long tensorBytes = 0;
        long parameters = 0;
        boolean anyTensors = false;
        for (Candidate part : set) {
            parts.add(part.path().toString());
            totalBytes += part.size();
            CachedRead read = reads.get(part.path());
            // A part whose header cannot be read is counted whole: the estimate errs on the safe side.
            tensorBytes += read.facts() == null ? part.size()
                    : Math.max(0, part.size() - read.facts().tensorDataOffset());
            if (read.facts() != null) {
                parameters += read.facts().parameterCount();
                anyTensors |= read.facts().tensorCount() > 0;
            } else if (part != first) {
                problems.add(Problem.unreadablePartHeader(part.name(), read.error()));
            }
        }
        if (isSplit) {
            int count = FileNameParser.splitSuffix(fileName).get().count();
            Set<Integer> present = new HashSet<>();
            for (Candidate part : set) {
                present.add(FileNameParser.splitSuffix(part.name()).get().part());
            }
            for (int part = 1; part <= count; part++) {
                if (!present.contains(part)) {
                    problems.add(Problem.missingPart(part, count));
                }
            }
        }

        if (header == null) {
            if (name.sizeParams() == null) {
                skipped.add(skip(first.path(), "GGUF header unreadable (" + firstRead.error()
                        + ") and the file name gives no size"));
                return;
            }
            problems.add(0, Problem.unreadableHeader(firstRead.error()));
        }

        NameFacts basename = header == null || header.basename() == null ? null : FileNameParser.parse(header.basename());
        NameFacts finetune = header == null || header.finetune() == null ? null : FileNameParser.parse(header.finetune());
        String family = basename != null && basename.family() != null ? basename.family() : name.family();
        String version = basename != null && basename.family() != null && basename.version() != null
                ? basename.version() : name.version();

        Double sizeParams = null;
        if (header != null && anyTensors) {
            sizeParams = Math.round(parameters / 1e9 * 100) / 100.0;
        } else if (header != null && header.sizeLabel() != null) {
            sizeParams = FileNameParser.parse(header.sizeLabel()).sizeParams();
        }
        if (sizeParams == null) {
            sizeParams = name.sizeParams();
        }
        String sizeLabel = header != null && header.sizeLabel() != null ? header.sizeLabel() : name.sizeLabel();
        String quantization = header != null && header.quantization() != null ? header.quantization() : name.quantization();
        boolean thinking = name.thinking() || (basename != null && basename.thinking())
                || (header != null && header.templateSaysThinking());
        boolean instruct = name.instruct() || (basename != null && basename.instruct())
                || (finetune != null && finetune.instruct());
        boolean coder = name.coder() || (basename != null && basename.coder());

        models.add(DiscoveredModel.builder(ModelIds.fromBaseName(baseName), first.path().toString(), fileName)
                .parts(parts)
                .fileSizeBytes(totalBytes)
                .family(intern(family))
                .version(intern(version))
                .sizeParams(sizeParams)
                .sizeLabel(intern(sizeLabel))
                .parameterCount(header != null && anyTensors ? parameters : null)
                .quantization(intern(quantization))
                .architecture(header == null ? null : intern(header.architecture()))
                .contextLength(header == null ? null : header.contextLength())
                .tensorBytes(header == null ? null : tensorBytes)
                .kvBytesPerToken(header == null ? null : header.kvBytesPerToken())
                .isThinkingModel(thinking)
                .isInstruct(instruct)
                .isCoder(coder)
                .metadataSource(header == null ? MetadataSource.FILENAME : MetadataSource.GGUF)
                .displayName(baseName)
                .problems(problems)
                .build());
    }

    // ---------------------------------------------------------------- projectors

    private static List<DiscoveredModel> pairProjectors(List<DiscoveredModel> models, List<Projector> projectors,
                                                        List<SkippedFile> skipped) {
        Map<Path, List<Integer>> modelsByDir = new HashMap<>();
        for (int i = 0; i < models.size(); i++) {
            modelsByDir.computeIfAbsent(Path.of(models.get(i).filePath()).getParent(), d -> new ArrayList<>()).add(i);
        }
        List<DiscoveredModel> result = new ArrayList<>(models);
        projectors.sort(Comparator.comparing(Projector::path));
        Map<Integer, Path> paired = new LinkedHashMap<>();
        for (Projector projector : projectors) {
            List<Integer> inDir = modelsByDir.getOrDefault(projector.path().getParent(), List.of());
            Integer match = bestMatch(projector, inDir, result);
            if (match == null && inDir.size() == 1) {
                match = inDir.get(0);
            }
            if (match == null) {
                skipped.add(skip(projector.path(), inDir.isEmpty()
                        ? "multimodal projector with no model beside it"
                        : "multimodal projector that matches none of the " + inDir.size() + " models beside it"));
            } else if (paired.containsKey(match)) {
                skipped.add(skip(projector.path(), "second multimodal projector for model "
                        + result.get(match).filename() + " (" + paired.get(match).getFileName() + " is used)"));
            } else {
                paired.put(match, projector.path());
                result.set(match, result.get(match).toBuilder().mmprojPath(projector.path().toString())
                        .mmprojSizeBytes(projector.size()).build());
            }
        }
        return result;
    }

    /** The model whose name (without its quantization) the projector's name contains; the longest wins. */
    private static Integer bestMatch(Projector projector, List<Integer> candidates, List<DiscoveredModel> models) {
        String projectorName = projector.baseName().toLowerCase(Locale.ROOT);
        Integer best = null;
        int bestLength = 0;
        for (int index : candidates) {
            DiscoveredModel model = models.get(index);
            String stem = stemWithoutQuantization(FileNameParser.baseName(model.filename()), model.quantization());
            if (stem.length() >= 3 && projectorName.contains(stem) && stem.length() > bestLength) {
                best = index;
                bestLength = stem.length();
            }
        }
        return best;
    }

    private static String stemWithoutQuantization(String baseName, String quantization) {
        String lower = baseName.toLowerCase(Locale.ROOT);
        if (quantization != null) {
            int at = lower.lastIndexOf(quantization);
            if (at > 0) {
                lower = lower.substring(0, at);
            }
        }
        return lower.replaceAll("[-_. ]+$", "");
    }

    // ---------------------------------------------------------------- helpers

    private static boolean hasWord(String lowerName, String word) {
        for (String token : lowerName.split("[-_. ]")) {
            if (token.equals(word)) {
                return true;
            }
        }
        return false;
    }

    private static SkippedFile skip(Path path, String reason) {
        return new SkippedFile(path.toString(), reason);
    }

    /** Family, version and quantization repeat across thousands of models; share one copy each. */
    private static String intern(String text) {
        return text == null ? null : text.intern();
    }

    private record Candidate(Path path, String name, long size, long modified) {
    }

    private record Projector(Path path, String baseName, long size) {
    }

    /** The outcome of describing one file set: a model, a projector, or a skipped file. */
    private record Description(List<Candidate> set, List<DiscoveredModel> models, List<Projector> projectors,
                               List<SkippedFile> skipped) {
    }

    /** One header read: facts, or the error that prevented them, for a file of a given size and time. */
    private record CachedRead(long size, long modified, HeaderFacts facts, String error, boolean disappeared) {
    }
}
