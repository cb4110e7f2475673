package dev.magi.core.runtime;

import dev.magi.spi.ErrorCode;
import dev.magi.spi.MagiException;
import dev.magi.spi.RuntimeSettings;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Checks a model's extra arguments and environment before the registry saves them. The bounds keep
 * one model's entry in the registry small whatever a request sends (64 entries of at most 4096
 * characters each), and control characters are refused because no flag needs them and they would
 * garble the log line that records the command.
 */
public final class RuntimeSettingsRules {
    /** The most extra arguments, and the most variables, one model may have. */
    public static final int MAX_ENTRIES = 64;
    /** The longest argument or variable value, in characters. */
    public static final int MAX_LENGTH = 4096;

    private static final Pattern VARIABLE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,255}");

    private RuntimeSettingsRules() {
    }

    /** @throws MagiException InvalidRequest naming the field ({@code extraArgs} or {@code env}) and the culprit */
    public static void check(RuntimeSettings settings) {
        checkExtraArgs(settings.extraArgs());
        checkEnv(settings.env());
    }

    static void checkExtraArgs(List<String> args) {
        if (args.size() > MAX_ENTRIES) {
            throw invalid("extraArgs", "extraArgs may hold at most " + MAX_ENTRIES + " arguments, got " + args.size(),
                    Map.of());
        }
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            String at = "extraArgs[" + i + "]";
            checkText("extraArgs", at, arg);
            String flag = OwnedByMagi.flagOf(arg);
            OwnedByMagi.flag(flag).ifPresent(setBy -> {
                throw invalid("extraArgs", "Flag '" + flag + "' in extraArgs is set by MAGI itself, from " + setBy,
                        Map.of("flag", flag));
            });
        }
    }

    static void checkEnv(Map<String, String> env) {
        if (env.size() > MAX_ENTRIES) {
            throw invalid("env", "env may hold at most " + MAX_ENTRIES + " variables, got " + env.size(), Map.of());
        }
        for (Map.Entry<String, String> variable : env.entrySet()) {
            String name = variable.getKey();
            if (!VARIABLE_NAME.matcher(name).matches()) {
                throw invalid("env", "'" + printable(name) + "' in env is not a variable name: letters, digits and _,"
                        + " not starting with a digit, at most 256", Map.of("variable", printable(name)));
            }
            OwnedByMagi.variable(name).ifPresent(setBy -> {
                throw invalid("env", "Variable '" + name + "' in env is set by MAGI itself, from " + setBy,
                        Map.of("variable", name));
            });
            checkText("env", "env." + name, variable.getValue());
        }
    }

    private static void checkText(String field, String at, String text) {
        if (text.length() > MAX_LENGTH) {
            throw invalid(field, at + " is longer than " + MAX_LENGTH + " characters (" + text.length() + ")",
                    Map.of());
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isISOControl(c)) {
                throw invalid(field, at + " contains the control character U+" + String.format("%04X", (int) c)
                        + " at " + i, Map.of());
            }
        }
    }

    /** A name as it can go into a message: control characters shown as code points. */
    private static String printable(String text) {
        StringBuilder out = new StringBuilder();
        text.codePoints().limit(80).forEach(c -> {
            if (Character.isISOControl(c)) {
                out.append(String.format("\\u%04X", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.toString();
    }

    private static MagiException invalid(String field, String message, Map<String, String> extra) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("field", field);
        details.putAll(extra);
        return new MagiException(ErrorCode.INVALID_REQUEST, message, details);
    }
}
