package io.github.miniwebvm.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Sha256Test {
    private static final String ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    private static final String EMPTY = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    @Test
    void knownDigestsOfBytesTextStreamsAndFiles(@TempDir Path dir) throws Exception {
        byte[] abc = "abc".getBytes(StandardCharsets.US_ASCII);
        Path file = Files.write(dir.resolve("abc"), abc);

        assertThat(Sha256.hex(abc)).isEqualTo(ABC);
        assertThat(Sha256.hex("xabcx".getBytes(StandardCharsets.US_ASCII), 1, 3)).isEqualTo(ABC);
        assertThat(Sha256.hex("abc")).isEqualTo(ABC);
        assertThat(Sha256.hex(new ByteArrayInputStream(abc))).isEqualTo(ABC);
        assertThat(Sha256.hex(file)).isEqualTo(ABC);
        assertThat(Sha256.hex(new byte[0])).isEqualTo(EMPTY);
        assertThat(Sha256.ociDigest(abc)).isEqualTo("sha256:" + ABC);
        assertThat(Sha256.ociDigest("abc")).isEqualTo("sha256:" + ABC);
        assertThat(Sha256.ociDigest(file)).isEqualTo("sha256:" + ABC);
        var md = Sha256.newDigest();
        md.update(abc);
        assertThat(Sha256.ociDigestOf(md)).isEqualTo("sha256:" + ABC);
    }

    @Test
    void theHexPartOfAnOciDigestIsCheckedStrictly() {
        assertThat(Sha256.hexOfOciDigest("sha256:" + ABC)).isEqualTo(ABC);
        assertThatThrownBy(() -> Sha256.hexOfOciDigest("sha256:" + ABC.toUpperCase()))
                .hasMessage("not a sha256 digest: sha256:" + ABC.toUpperCase());
        assertThatThrownBy(() -> Sha256.hexOfOciDigest("sha512:" + ABC)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Sha256.hexOfOciDigest("sha256:../" + ABC.substring(3)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(Sha256.isHex(ABC)).isTrue();
        assertThat(Sha256.isHex(ABC + "0")).isFalse();
        assertThat(Sha256.isHex(null)).isFalse();
    }
}
