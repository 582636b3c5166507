package io.github.miniwebvm.ext2;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class FingerprintTest {
    private static String hex(Fingerprint f, long salt) {
        StringBuilder sb = new StringBuilder();
        for (byte b : f.bytes(salt)) {
            sb.append(String.format("%02x", b));
        }
        return sb.toString();
    }

    private static Fingerprint of(String... parts) {
        Fingerprint f = new Fingerprint();
        for (String p : parts) {
            f.addString(p);
        }
        return f;
    }

    @Test
    void sameInputSameValueAndSaltsGiveDifferentValues() {
        assertThat(hex(of("usr", "bin"), 0)).isEqualTo(hex(of("usr", "bin"), 0));
        assertThat(hex(of("usr", "bin"), 0)).isNotEqualTo(hex(of("usr", "bin"), 1));
    }

    @Test
    void boundariesOrderAndLengthsMatter() {
        assertThat(hex(of("ab", "c"), 0)).isNotEqualTo(hex(of("a", "bc"), 0));
        assertThat(hex(of("a", "b"), 0)).isNotEqualTo(hex(of("b", "a"), 0));
        assertThat(hex(of("a"), 0)).isNotEqualTo(hex(of("a", ""), 0));
        assertThat(hex(of("\0"), 0)).isNotEqualTo(hex(of(""), 0));
    }

    @Test
    void smallChangesGiveDistinctValues() {
        Set<String> seen = new HashSet<>();
        for (long i = 0; i < 100_000; i++) {
            Fingerprint f = new Fingerprint();
            f.addLong(i);
            seen.add(hex(f, 0).substring(0, 16));
            f.addLong(1L << (i % 64));
            seen.add(hex(f, 0).substring(16));
        }
        assertThat(seen).hasSize(200_000);
    }
}
