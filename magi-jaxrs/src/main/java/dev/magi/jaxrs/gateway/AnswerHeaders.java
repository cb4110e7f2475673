package dev.magi.jaxrs.gateway;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/** The headers of an answer being built, in order; names compare without regard to case, as HTTP's do. */
final class AnswerHeaders {
    private final List<String[]> fields = new ArrayList<>();

    AnswerHeaders add(String name, Object value) {
        fields.add(new String[] {name, String.valueOf(value)});
        return this;
    }

    /** Replaces every value of {@code name} with this one. */
    AnswerHeaders set(String name, Object value) {
        fields.removeIf(field -> field[0].equalsIgnoreCase(name));
        return add(name, value);
    }

    /** The first value of {@code name}, null when none. */
    String first(String name) {
        for (String[] field : fields) {
            if (field[0].equalsIgnoreCase(name)) {
                return field[1];
            }
        }
        return null;
    }

    void forEach(BiConsumer<String, String> each) {
        fields.forEach(field -> each.accept(field[0], field[1]));
    }
}
