package io.github.miniwebvm.dockerfile;

import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;

/** Everything a backend needs, validated by {@link ImageBuild.Builder#build()}. */
record BuildRequest(
        Path dockerfile,
        Path context,
        Map<String, String> buildArgs,
        String target,
        String platform,
        boolean allowInsecureRegistries,
        Path cacheDirectory,
        boolean offline,
        long maxAddBytes,
        String engine,
        RunOptions run,
        Consumer<String> log) {
}
