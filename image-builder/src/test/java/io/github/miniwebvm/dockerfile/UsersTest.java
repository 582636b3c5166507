package io.github.miniwebvm.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The image's account files are hostile input: a malformed entry is an error naming file and line. */
class UsersTest {
    @TempDir
    Path dir;
    private Rootfs root;

    @BeforeEach
    void accounts() throws Exception {
        Files.createDirectories(dir.resolve("etc"));
        Files.writeString(dir.resolve("etc/passwd"), String.join("\n",
                "root:x:0:0:root:/root:/bin/sh",
                "garbage line without fields",
                "app:x:abc:1000::/home/app:/bin/sh",
                "huge:x:99999999999999999999:0::/:/bin/sh",
                "neg:x:-5:0::/:/bin/sh",
                "badgid:x:1001:zz::/:/bin/sh",
                "user:x:1000:1000::/home/user:/bin/bash", ""));
        Files.writeString(dir.resolve("etc/group"), "root:x:0:\nstaff:x:50:\nodd:x:5e3:\n");
        root = new Rootfs(dir);
    }

    @Test
    void wellFormedEntriesResolveDespiteBadNeighbours() throws Exception {
        assertThat(Users.resolve(root, "user", true)).containsExactly(1000, 1000);
        assertThat(Users.resolve(root, "user:staff", true)).containsExactly(1000, 50);
        assertThat(Users.resolve(root, "4242:7", false)).containsExactly(4242, 7);
        assertThat(Users.home(root, 1000)).isEqualTo("/home/user");
    }

    @Test
    void aMalformedEntryThatIsUsedNamesFileLineAndField() {
        assertThatThrownBy(() -> Users.resolve(root, "app", true)).isInstanceOf(ImageBuildException.class)
                .hasMessageContaining("line 3 of the image's /etc/passwd").hasMessageContaining("'abc' as its uid");
        assertThatThrownBy(() -> Users.resolve(root, "huge", true)).hasMessageContaining("line 4")
                .hasMessageContaining("as its uid");
        assertThatThrownBy(() -> Users.resolve(root, "neg", true)).hasMessageContaining("'-5' as its uid");
        assertThatThrownBy(() -> Users.resolve(root, "badgid", true)).hasMessageContaining("'zz' as its gid");
        assertThatThrownBy(() -> Users.resolve(root, "user:odd", true)).hasMessageContaining("/etc/group")
                .hasMessageContaining("'5e3' as its gid");
        assertThatThrownBy(() -> Users.resolve(root, "99999999999999999999", true))
                .isInstanceOf(ImageBuildException.class).hasMessageContaining("is not a user id");
        assertThatThrownBy(() -> Users.resolve(root, "user:4294967295", true)).hasMessageContaining("is not a group id");
    }

    @Test
    void anAccountFileOfAbsurdSizeIsNotRead() throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(dir.resolve("etc/group").toFile(), "rw")) {
            f.setLength(Users.MAX_ACCOUNT_FILE_BYTES + 1);   // sparse: no disk used
        }
        assertThatThrownBy(() -> Users.resolve(root, "user:staff", true)).isInstanceOf(ImageBuildException.class)
                .hasMessageContaining("/etc/group is 16777217 bytes");
    }
}
