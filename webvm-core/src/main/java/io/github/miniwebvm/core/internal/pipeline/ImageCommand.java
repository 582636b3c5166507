package io.github.miniwebvm.core.internal.pipeline;

import io.github.miniwebvm.bootkit.GuestCommand;
import io.github.miniwebvm.core.ContainerOverrides;
import io.github.miniwebvm.fs.FileTree;
import io.github.miniwebvm.image.ImageConfig;
import io.github.miniwebvm.image.ImageFormatException;
import io.github.miniwebvm.runtime.SiteConfig;
import java.io.IOException;
import java.util.List;

/**
 * The command the VM runs: the image's run configuration with the user's overrides, a login shell
 * for an image without one, and the user resolved to numeric ids in the image's own passwd.
 */
record ImageCommand(ImageConfig config, ImageConfig.UserIds ids) {

    /** {@code tree} is null for an ext2 input: it has no passwd to read, so only numeric users work. */
    static ImageCommand resolve(ImageConfig image, FileTree tree, ContainerOverrides overrides, StageLog log)
            throws PipelineException, IOException {
        ImageConfig config = withDefaultCommand(image.withOverrides(toImageOverrides(overrides)), tree, log);
        try {
            return new ImageCommand(config, config.resolveUser(tree == null ? new FileTree() : tree));
        } catch (ImageFormatException e) {
            throw PipelineException.user("user: " + e.getMessage(), e);
        }
    }

    GuestCommand forBootKit() {
        return new GuestCommand(config.argv(), config.env(), config.webvmCwd(), ids.uid(), ids.gid());
    }

    SiteConfig.Command forSite() {
        return new SiteConfig.Command(config.webvmCommand().orElse("/bin/sh"), config.webvmArgs(),
                config.env(), config.webvmCwd(), ids.uid(), ids.gid());
    }

    /**
     * An image without ENTRYPOINT and CMD (a plain rootfs tar, an ext2 disk, {@code FROM scratch}
     * images) gets a login shell, as WebVM's page starts one: bash where the image has it.
     */
    private static ImageConfig withDefaultCommand(ImageConfig config, FileTree tree, StageLog log) {
        if (!config.argv().isEmpty()) {
            return config;
        }
        boolean bash = tree == null || tree.lookup("/bin/bash").isPresent() || tree.lookup("/usr/bin/bash").isPresent();
        List<String> shell = bash ? List.of("/bin/bash", "--login") : List.of("/bin/sh", "-l");
        log.info("image: no ENTRYPOINT or CMD; the VM runs " + String.join(" ", shell)
                + " (set the container entrypoint to change it)");
        return config.withOverrides(new ImageConfig.Overrides().entrypoint(shell));
    }

    private static ImageConfig.Overrides toImageOverrides(ContainerOverrides c) {
        ImageConfig.Overrides ov = new ImageConfig.Overrides();
        if (c.entrypoint() != null) {
            ov.entrypoint(c.entrypoint());
        }
        if (c.args() != null) {
            ov.args(c.args());
        }
        c.environment().forEach(ov::env);
        if (c.workingDirectory() != null) {
            ov.workingDir(c.workingDirectory());
        }
        if (c.user() != null) {
            ov.user(c.user());
        }
        return ov;
    }
}
