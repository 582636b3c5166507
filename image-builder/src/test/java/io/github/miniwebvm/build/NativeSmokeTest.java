package io.github.miniwebvm.build;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.miniwebvm.testsupport.TestBaseImage;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NativeSmokeTest {
    @TempDir
    Path work;

    @Test
    void buildsFromOciArchive() throws Exception {
        Path ctx = Path.of("src/test/resources/native/smoke").toAbsolutePath();
        BuiltImage img = ImageBuild.builder().context(ctx)
                .buildArgs(Map.of("BASE", "oci-archive:" + TestBaseImage.ociArchive()))
                .backend(Backend.NATIVE).cacheDirectory(work.resolve("cache"))
                .log(System.out::println).build().run(work.resolve("out"));
        System.out.println(img);
        assertThat(img.format()).isEqualTo(BuiltImage.Format.OCI_LAYOUT);
    }
}
