package io.github.miniwebvm.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@link ImageConfig#resolveUser} on the Debian fixture agrees with what {@code buildah run --user}
 * (a runtime we did not write) starts the process as.
 */
class UserResolutionTest {
    @Test
    void resolveUserAgreesWithBuildahRun() throws IOException {
        Podman.assumeAvailable();
        String base = Podman.baseImage();
        Path repo = Path.of(System.getProperty("webvm.repoRoot", "..")).toAbsolutePath().normalize();
        String tar = Podman.run("bash", repo.resolve("scripts/fixture-base.sh").toString()).out().trim();
        tar = tar.substring(tar.lastIndexOf('\n') + 1);
        String container = Podman.run("buildah", "from", "-q", "--name", "flatten-user-" + ProcessHandle.current().pid(), base).out().trim();
        container = container.substring(container.lastIndexOf('\n') + 1);
        try (LoadedImage image = ImageLoader.builder().workDirectory(Path.of("target/user-work")).build()
                .load(Path.of(tar))) {
            for (String user : List.of("", "www-data", "33", "4242", "www-data:users", "1:5", "daemon:mail", "nobody")) {
                List<String> cmd = new java.util.ArrayList<>(List.of("buildah", "run", "--isolation=chroot"));
                if (!user.isEmpty()) {
                    cmd.addAll(List.of("--user", user));
                }
                cmd.addAll(List.of(container, "--", "/usr/bin/id"));
                String out = "";
                for (int attempt = 0; attempt < 5 && !out.contains("uid="); attempt++) {
                    out = Podman.run(cmd, 120, true).out();   // buildah 1.28 chroot runs now and then lose stdout
                }
                Matcher m = Pattern.compile("uid=(\\d+)\\S* gid=(\\d+)").matcher(out);
                assertThat(m.find()).as("output of %s: [%s]", cmd, out).isTrue();
                ImageConfig config = ImageConfig.of("386", "linux", null, null, null, null, user);
                assertThat(config.resolveUser(image.tree())).as("USER " + user)
                        .isEqualTo(new ImageConfig.UserIds(Long.parseLong(m.group(1)), Long.parseLong(m.group(2))));
            }
            assertThat(Podman.run(List.of("buildah", "run", "--isolation=chroot", "--user", "nosuch", container, "--",
                    "/usr/bin/id"), 120, false).exit()).isNotZero();
            assertThatThrownBy(() -> ImageConfig.of("386", "linux", null, null, null, null, "nosuch")
                    .resolveUser(image.tree())).isInstanceOf(ImageFormatException.class).hasMessageContaining("nosuch");
            assertThatThrownBy(() -> ImageConfig.of("386", "linux", null, null, null, null, "root:nogroup-x")
                    .resolveUser(image.tree())).isInstanceOf(ImageFormatException.class)
                    .hasMessageContaining("nogroup-x");
        } finally {
            Podman.run(List.of("buildah", "rm", container), 120, false);
        }
    }
}
