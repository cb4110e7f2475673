package dev.magi.core.store.h2;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("The h2 store's model order keys")
class ModelOrderTest {

    private static Map<String, Long> stored(List<String> ids, long[] keys) {
        Map<String, Long> stored = new HashMap<>();
        for (int i = 0; i < ids.size(); i++) {
            stored.put(ids.get(i), keys[i]);
        }
        return stored;
    }

    private static int changed(List<String> ids, long[] keys, Map<String, Long> before) {
        int changed = 0;
        for (int i = 0; i < ids.size(); i++) {
            if (!Long.valueOf(keys[i]).equals(before.get(ids.get(i)))) {
                changed++;
            }
        }
        return changed;
    }

    private static void assertIncreasing(long[] keys) {
        for (int i = 1; i < keys.length; i++) {
            assertThat(keys[i]).isGreaterThan(keys[i - 1]);
        }
    }

    @Test
    @DisplayName("gives a new model, and a moved one, a key between its neighbours and leaves the others alone")
    void fewChanges() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            ids.add("m" + i);
        }
        long[] keys = ModelOrder.keys(ids, Map.of());
        assertIncreasing(keys);
        Map<String, Long> before = stored(ids, keys);

        ids.add(500, "new-in-the-middle");
        ids.add(0, "new-first");
        ids.add("new-last");
        keys = ModelOrder.keys(ids, before);
        assertIncreasing(keys);
        assertThat(changed(ids, keys, before)).isEqualTo(3);

        before = stored(ids, keys);
        ids.remove("m10");
        ids.add(900, ids.remove(20));
        keys = ModelOrder.keys(ids, before);
        assertIncreasing(keys);
        assertThat(changed(ids, keys, before)).isEqualTo(1);
    }

    @Test
    @DisplayName("stays in order through many random insertions, removals and moves, renumbering when out of room")
    void randomEdits() {
        Random random = new Random(42);
        List<String> ids = new ArrayList<>();
        Map<String, Long> stored = new HashMap<>();
        int next = 0;
        for (int step = 0; step < 3000; step++) {
            int op = random.nextInt(4);
            if (op == 0 || ids.size() < 2) {
                // Always at the same place: the worst case for the room between two keys.
                ids.add(Math.min(ids.size(), 1), "n" + next++);
            } else if (op == 1) {
                ids.remove(random.nextInt(ids.size()));
            } else if (op == 2) {
                ids.add(random.nextInt(ids.size()), ids.remove(random.nextInt(ids.size())));
            } else {
                ids.add(random.nextInt(ids.size() + 1), "n" + next++);
            }
            long[] keys = ModelOrder.keys(ids, stored);
            assertIncreasing(keys);
            stored = stored(ids, keys);
        }
    }
}
