package io.github.miniwebvm.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FromPlatformsTest {

    @Test
    void shortAndAliasFormsBecomeOsSlashGoArch() {
        assertThat(FromPlatforms.normalize("i386")).isEqualTo("linux/386");
        assertThat(FromPlatforms.normalize("386")).isEqualTo("linux/386");
        assertThat(FromPlatforms.normalize("linux/i386")).isEqualTo("linux/386");
        assertThat(FromPlatforms.normalize("linux/386")).isEqualTo("linux/386");
        assertThat(FromPlatforms.normalize("i686")).isEqualTo("linux/386");
        assertThat(FromPlatforms.normalize("x86_64")).isEqualTo("linux/amd64");
        assertThat(FromPlatforms.normalize("linux/arm/v7")).isEqualTo("linux/arm/v7");
    }

    @Test
    void rewritesLiteralFromPlatformsOnly() {
        String in = "FROM --platform=i386 docker.io/debian:12 AS base\n"
                + "  from   --platform=\"linux/i386\" base AS two\n"
                + "FROM --platform=$BUILDPLATFORM golang AS tools\n"
                + "RUN echo --platform=i386\n"
                + "FROM base\n";
        assertThat(FromPlatforms.rewrite(in)).isEqualTo("FROM --platform=linux/386 docker.io/debian:12 AS base\n"
                + "  from   --platform=linux/386 base AS two\n"
                + "FROM --platform=$BUILDPLATFORM golang AS tools\n"
                + "RUN echo --platform=i386\n"
                + "FROM base\n");
    }

    @Test
    void theEngineGetsTheOriginalUnlessSomethingChanged(@TempDir Path dir) throws Exception {
        Path ctx = Files.createDirectories(dir.resolve("ctx"));
        Path work = Files.createDirectories(dir.resolve("work"));
        Path plain = Files.writeString(ctx.resolve("Dockerfile"), "FROM --platform=linux/386 scratch\n");
        assertThat(FromPlatforms.forEngine(plain, work)).isEqualTo(plain);

        Path webvm = Files.writeString(ctx.resolve("debian_mini"), "FROM --platform=i386 i386/debian:buster\n");
        Files.writeString(ctx.resolve("debian_mini.dockerignore"), "secret\n");
        Path given = FromPlatforms.forEngine(webvm, work);
        assertThat(given.getParent()).isEqualTo(work);
        assertThat(Files.readString(given)).isEqualTo("FROM --platform=linux/386 i386/debian:buster\n");
        assertThat(work.resolve(given.getFileName() + ".dockerignore")).hasContent("secret");
    }
}
