package io.github.miniwebvm.dockerfile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code FROM --platform=…} values in the forms Docker accepts ({@code i386}, {@code linux/i386},
 * {@code 386}) written as {@code os/arch} with Go's architecture names ({@code linux/386}), the only
 * form podman 4 parses. WebVM's own Dockerfiles start with {@code FROM --platform=i386 …}.
 */
final class FromPlatforms {
    /** A FROM line's literal --platform value; values with variables ($TARGETPLATFORM) are left alone. */
    private static final Pattern FROM_PLATFORM = Pattern.compile(
            "(?im)^(\\s*FROM\\s+(?:--[a-z-]+=\\S+\\s+)*--platform=)([\"']?)([A-Za-z0-9_./-]+)\\2(?=\\s)");

    private FromPlatforms() {
    }

    /** {@code i386} → {@code linux/386}, {@code linux/i686} → {@code linux/386}, {@code x86_64} → {@code linux/amd64}. */
    static String normalize(String platform) {
        String[] parts = platform.toLowerCase(Locale.ROOT).split("/", -1);
        String os = parts.length == 1 ? "linux" : parts[0];
        String arch = parts.length == 1 ? parts[0] : parts[1];
        arch = switch (arch) {
            case "i386", "i486", "i586", "i686", "x86" -> "386";
            case "x86_64", "x86-64" -> "amd64";
            case "aarch64" -> "arm64";
            default -> arch;
        };
        StringBuilder out = new StringBuilder(os).append('/').append(arch);
        for (int i = 2; i < parts.length; i++) {
            out.append('/').append(parts[i]);
        }
        return out.toString();
    }

    /** The Dockerfile text with every literal FROM --platform value normalised. */
    static String rewrite(String dockerfile) {
        Matcher m = FROM_PLATFORM.matcher(dockerfile);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(m.group(1) + normalize(m.group(3))));
        }
        m.appendTail(out);
        return out.toString();
    }

    /**
     * The Dockerfile to hand the engine: {@code dockerfile} itself when nothing needs normalising,
     * else a rewritten copy in {@code workDir} (with its {@code NAME.dockerignore}, which engines
     * look for beside the Dockerfile).
     */
    static Path forEngine(Path dockerfile, Path workDir) throws IOException {
        String text = Files.readString(dockerfile);
        String rewritten = rewrite(text);
        if (rewritten.equals(text)) {
            return dockerfile;
        }
        Path copy = workDir.resolve("Dockerfile");
        Files.writeString(copy, rewritten);
        Path ignore = dockerfile.resolveSibling(dockerfile.getFileName() + ".dockerignore");
        Path ignoreCopy = workDir.resolve("Dockerfile.dockerignore");
        Files.deleteIfExists(ignoreCopy);
        if (Files.isRegularFile(ignore)) {
            Files.copy(ignore, ignoreCopy);
        }
        return copy;
    }
}
