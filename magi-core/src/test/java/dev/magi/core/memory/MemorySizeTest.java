package dev.magi.core.memory;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("Sizes written in settings")
class MemorySizeTest {

    @ParameterizedTest(name = "{0} is {1} bytes")
    @DisplayName("reads bytes and binary K, M, G and T in any case, with or without B or iB")
    @CsvSource({"1, 1", "4096, 4096", "1K, 1024", "512M, 536870912", "24G, 25769803776", "24g, 25769803776",
        "24GB, 25769803776", "24GiB, 25769803776", "' 2 T ', 2199023255552", "1.5G, 1610612736"})
    void parses(String text, long bytes) {
        assertThat(MemorySize.parse(text)).isEqualTo(bytes);
    }

    @ParameterizedTest(name = "''{0}'' is refused")
    @DisplayName("refuses what is not a size, nothing, zero, negatives and sizes beyond a long")
    @ValueSource(strings = {"", "  ", "G", "lots", "-1G", "0", "0.4", "1P", "12 GB of RAM", "9999999999T", "1e9"})
    void refuses(String text) {
        assertThatThrownBy(() -> MemorySize.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + text + "'");
    }

    @Test
    @DisplayName("refuses null with the same kind of error")
    void refusesNull() {
        assertThatThrownBy(() -> MemorySize.parse(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("writes sizes for people")
    void formats() {
        assertThat(MemorySize.format(900)).isEqualTo("900 B");
        assertThat(MemorySize.format(1024)).isEqualTo("1 KiB");
        assertThat(MemorySize.format(1_610_612_736L)).isEqualTo("1.5 GiB");
        assertThat(MemorySize.format(25_769_803_776L)).isEqualTo("24 GiB");
        assertThat(MemorySize.format(Long.MAX_VALUE)).endsWith("TiB");
    }
}
