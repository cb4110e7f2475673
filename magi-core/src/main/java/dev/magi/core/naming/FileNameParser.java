package dev.magi.core.naming;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the facts a model file name carries, by the rules of docs/discovery.md: llama.cpp
 * quantization names, sizes such as {@code 0.5B}, {@code 8x7B} or {@code 30B-A3B}, the family
 * with its version, and the words that mark thinking, instruct and coder models.
 *
 * <p>Names come from users and downloads, so every method accepts any string, {@code null}
 * included, and answers with what it could recognise instead of throwing.
 */
public final class FileNameParser {

    private static final Set<String> QUANTIZATIONS = Set.of(
            "f32", "f16", "bf16",
            "q4_0", "q4_1", "q5_0", "q5_1", "q8_0",
            "q2_k", "q2_k_s", "q3_k_s", "q3_k_m", "q3_k_l", "q4_k_s", "q4_k_m", "q5_k_s", "q5_k_m", "q6_k",
            "iq1_s", "iq1_m", "iq2_xxs", "iq2_xs", "iq2_s", "iq2_m",
            "iq3_xxs", "iq3_xs", "iq3_s", "iq3_m", "iq4_nl", "iq4_xs",
            "tq1_0", "tq2_0", "mxfp4", "mxfp4_moe",
            // Repacks that keep embeddings and output at a higher precision; not llama.cpp types,
            // but widespread. q2_k_l and q2_k_xl belong here too: without them
            // UD-Q2_K_XL would be read as q2_k, which is a different file.
            "q2_k_l", "q4_k_l", "q5_k_l", "q6_k_l",
            "q2_k_xl", "q3_k_xl", "q4_k_xl", "q5_k_xl", "q6_k_xl", "q8_k_xl");

    private static final Tokenizer TOKENIZER = new Tokenizer(QUANTIZATIONS);

    // Uploaders and organisations that prefix a model's name without being part of it.
    private static final List<List<String>> PUBLISHERS = words(
            "meta", "mistralai", "microsoft", "google", "bartowski", "unsloth", "thebloke",
            "lmstudio-community", "mradermacher", "maziyarpanahi", "quantfactory", "nousresearch",
            "huggingfacetb", "tiiuae", "allenai", "ibm", "nvidia", "openai", "c4ai");

    // Families whose name is several words: splitting them would leave "gpt" or "command".
    private static final List<List<String>> MULTI_WORD_FAMILIES = words(
            "gpt-oss", "gpt-j", "gpt-neox", "command-r", "command-a");

    private static final Set<String> THINKING_WORDS = Set.of("r1", "qwq", "thinking", "reasoning", "think", "o1");
    private static final Set<String> INSTRUCT_WORDS = Set.of("instruct", "chat", "it");
    private static final Set<String> CODER_WORDS = Set.of("coder", "code", "codestral", "starcoder", "codellama");

    private static final String GGUF_EXTENSION = ".gguf";
    private static final Pattern SPLIT_SUFFIX = Pattern.compile("-(\\d{5})-of-(\\d{5})", Pattern.CASE_INSENSITIVE);
    private static final int SPLIT_SUFFIX_LENGTH = "-00001-of-00003".length();

    // Bounded digit runs: a name of ten thousand digits is not a size, and must not become Infinity.
    private static final String NUMBER = "(\\d{1,9}(?:\\.\\d{1,9})?)";
    private static final Pattern SIZE = Pattern.compile(NUMBER + "([bmk])");
    private static final Pattern EXPERTS_SIZE = Pattern.compile("(\\d{1,9})x" + NUMBER + "([bmk])");
    private static final Pattern ACTIVE_SIZE = Pattern.compile("a" + NUMBER + "([bmk])");
    private static final Pattern NUMBER_VERSION = Pattern.compile("\\d++(?:\\.\\d++)*+");
    private static final Pattern LETTER_VERSION = Pattern.compile("([rv])(\\d++(?:\\.\\d++)*+)");

    private FileNameParser() {
    }

    /**
     * Parses a model file name or a {@code general.basename} value. Directories in front of the
     * name are ignored.
     */
    public static NameFacts parse(String fileName) {
        String baseName = baseName(fileName);
        List<Token> tokens = TOKENIZER.tokenize(baseName);

        String quantization = null;
        Set<String> words = new HashSet<>();
        for (Token token : tokens) {
            if (token.quantization()) {
                quantization = token.text();
            } else {
                words.add(token.text());
            }
        }
        Size size = size(tokens);
        FamilyAndVersion familyAndVersion = familyAndVersion(tokens);
        String family = familyAndVersion.family();

        boolean thinking = containsAny(words, THINKING_WORDS) || "qwq".equals(family);
        boolean instruct = containsAny(words, INSTRUCT_WORDS);
        boolean coder = containsAny(words, CODER_WORDS) || (family != null && CODER_WORDS.contains(family));
        return new NameFacts(baseName, family, familyAndVersion.version(),
                size == null ? null : size.params(), size == null ? null : size.label(),
                quantization, thinking, instruct, coder);
    }

    /** The split suffix of a name like {@code Model-00001-of-00003.gguf}, or empty. */
    public static Optional<SplitSuffix> splitSuffix(String fileName) {
        String name = withoutExtension(fileName);
        if (name.length() < SPLIT_SUFFIX_LENGTH) {
            return Optional.empty();
        }
        Matcher matcher = SPLIT_SUFFIX.matcher(name.substring(name.length() - SPLIT_SUFFIX_LENGTH));
        if (!matcher.matches()) {
            return Optional.empty();
        }
        int part = Integer.parseInt(matcher.group(1));
        int count = Integer.parseInt(matcher.group(2));
        // "-00000-of-00002" or "-00003-of-00002" are not written by gguf-split: part of the name.
        return part >= 1 && part <= count ? Optional.of(new SplitSuffix(part, count)) : Optional.empty();
    }

    /**
     * The name without directories, without {@code .gguf} (any case) and without the split
     * suffix: {@code Qwen3-4B-Q4_K_M} for {@code models/Qwen3-4B-Q4_K_M-00001-of-00002.gguf}.
     */
    public static String baseName(String fileName) {
        String name = withoutExtension(fileName);
        return splitSuffix(name).isPresent() ? name.substring(0, name.length() - SPLIT_SUFFIX_LENGTH) : name;
    }

    /**
     * Whether {@code token} is one of the quantization names above, in any letter case.
     * A {@code ud-} prefix is not accepted here: {@link #parse} drops it before asking.
     */
    public static boolean isQuantizationName(String token) {
        return token != null && QUANTIZATIONS.contains(token.toLowerCase(Locale.ROOT));
    }

    private static String withoutExtension(String fileName) {
        if (fileName == null) {
            return "";
        }
        String name = fileName.substring(Math.max(fileName.lastIndexOf('/'), fileName.lastIndexOf('\\')) + 1);
        int extensionStart = name.length() - GGUF_EXTENSION.length();
        if (extensionStart >= 0 && name.regionMatches(true, extensionStart, GGUF_EXTENSION, 0, GGUF_EXTENSION.length())) {
            return name.substring(0, extensionStart);
        }
        return name;
    }

    private record Size(double params, String label, int unitRank) {
    }

    /**
     * The model's size. A name may also carry a context length ({@code 128k}, {@code 1M}), so a
     * size in billions is preferred to one in millions, and that to one in thousands; among equals
     * the first wins, since sizes come early and context lengths late.
     */
    private static Size size(List<Token> tokens) {
        Size best = null;
        for (int i = 0; i < tokens.size(); i++) {
            Size size = sizeAt(tokens, i);
            if (size != null && (best == null || size.unitRank() < best.unitRank())) {
                best = size;
            }
        }
        return best;
    }

    private static Size sizeAt(List<Token> tokens, int index) {
        Token token = tokens.get(index);
        if (token.quantization()) {
            return null;
        }
        String experts = null;
        String number;
        String unit;
        Matcher plain = SIZE.matcher(token.text());
        Matcher mixture = EXPERTS_SIZE.matcher(token.text());
        if (plain.matches()) {
            number = plain.group(1);
            unit = plain.group(2);
        } else if (mixture.matches()) {
            experts = mixture.group(1);
            number = mixture.group(2);
            unit = mixture.group(3);
        } else {
            return null;
        }
        int unitRank = "bmk".indexOf(unit);
        BigDecimal billions = new BigDecimal(number).movePointLeft(3 * unitRank);
        if (experts != null) {
            billions = billions.multiply(new BigDecimal(experts));
        }
        if (billions.signum() <= 0) {
            return null;
        }
        String label = (experts == null ? "" : experts + "x") + number + unit.toUpperCase(Locale.ROOT);
        if (index + 1 < tokens.size()) {
            Matcher active = ACTIVE_SIZE.matcher(tokens.get(index + 1).text());
            if (!tokens.get(index + 1).quantization() && active.matches()) {
                // Mixture of experts written total-active (30B-A3B): the total is what memory holds.
                label += "-A" + active.group(1) + active.group(2).toUpperCase(Locale.ROOT);
            }
        }
        return new Size(billions.doubleValue(), label, unitRank);
    }

    private record FamilyAndVersion(String family, String version) {
    }

    private static FamilyAndVersion familyAndVersion(List<Token> tokens) {
        int first = 0;
        for (int skipped = leadingMatch(tokens, first, PUBLISHERS); skipped > 0;
                skipped = leadingMatch(tokens, first, PUBLISHERS)) {
            first += skipped;
        }
        String family = null;
        String version = null;
        int next = first + 1;
        int multiWord = leadingMatch(tokens, first, MULTI_WORD_FAMILIES);
        if (multiWord > 0) {
            family = String.join("-", tokens.subList(first, first + multiWord).stream().map(Token::text).toList());
            next = first + multiWord;
        } else if (first < tokens.size() && isFamilyWord(tokens.get(first))) {
            String word = tokens.get(first).text();
            int versionStart = gluedVersionStart(word);
            family = word.substring(0, versionStart);
            version = versionStart < word.length() ? word.substring(versionStart) : null;
        }
        if (family != null && version == null && next < tokens.size()) {
            version = versionWord(tokens.get(next));
        }
        if (version == null) {
            version = firstVersionTag(tokens);
        }
        return new FamilyAndVersion(family, version);
    }

    /** Number of tokens from {@code start} that spell one of {@code sequences}, or 0. */
    private static int leadingMatch(List<Token> tokens, int start, List<List<String>> sequences) {
        for (List<String> sequence : sequences) {
            if (start + sequence.size() <= tokens.size() && matches(tokens, start, sequence)) {
                return sequence.size();
            }
        }
        return 0;
    }

    private static boolean matches(List<Token> tokens, int start, List<String> sequence) {
        for (int i = 0; i < sequence.size(); i++) {
            Token token = tokens.get(start + i);
            if (token.quantization() || !token.text().equals(sequence.get(i))) {
                return false;
            }
        }
        return true;
    }

    /**
     * A family is a name: it starts with a letter and is not itself a size or a version
     * ({@code 7B-Q4_K_M.gguf} and {@code v2.gguf} have no family).
     */
    private static boolean isFamilyWord(Token token) {
        String text = token.text();
        return !token.quantization()
                && Character.isLetter(text.codePointAt(0))
                && !LETTER_VERSION.matcher(text).matches();
    }

    /** Where the version glued to a family word starts ({@code qwen2.5} -> 4), or the word's length. */
    private static int gluedVersionStart(String word) {
        int start = word.length();
        while (start > 0 && (Tokenizer.isDigit(word.charAt(start - 1)) || word.charAt(start - 1) == '.')) {
            start--;
        }
        // The tokenizer keeps a dot only between digits, so the run is digits and inner dots;
        // it counts as a version only when a letter precedes it.
        if (start == word.length() || start == 0 || !Character.isLetter(word.charAt(start - 1))) {
            return word.length();
        }
        return start;
    }

    /** The version a word states ({@code 3.1}, {@code r1}, {@code v0.2} -> {@code 0.2}), or null. */
    private static String versionWord(Token token) {
        if (token.quantization()) {
            return null;
        }
        if (NUMBER_VERSION.matcher(token.text()).matches()) {
            return token.text();
        }
        Matcher letter = LETTER_VERSION.matcher(token.text());
        if (letter.matches()) {
            // R1 names a model line, so it keeps its letter; a v only says "version".
            return letter.group(1).equals("r") ? token.text() : letter.group(2);
        }
        return null;
    }

    private static String firstVersionTag(List<Token> tokens) {
        for (Token token : tokens) {
            Matcher letter = LETTER_VERSION.matcher(token.text());
            if (!token.quantization() && letter.matches() && letter.group(1).equals("v")) {
                return letter.group(2);
            }
        }
        return null;
    }

    private static boolean containsAny(Set<String> words, Set<String> wanted) {
        for (String word : wanted) {
            if (words.contains(word)) {
                return true;
            }
        }
        return false;
    }

    private static List<List<String>> words(String... names) {
        return Arrays.stream(names).map(name -> List.of(name.split("-"))).toList();
    }
}
