package io.github.miniwebvm.dockerfile;

import io.github.miniwebvm.dockerfile.syntax.Dockerfile;
import io.github.miniwebvm.dockerfile.syntax.Stage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The engine backend: {@code docker build} or {@code podman build} for the target platform, then
 * {@code save} to a docker-archive that the flattener reads (never {@code docker cp}, which loses
 * owners).
 */
final class Engine {
    /** Engines whose default OCI runtime could not start a container here (podman falls back to chroot). */
    private static final Map<String, Boolean> NEEDS_CHROOT = new ConcurrentHashMap<>();

    private final String command;

    private Engine(String command) {
        this.command = command;
    }

    String command() {
        return command;
    }

    boolean isPodman() {
        return command.endsWith("podman");
    }

    /** A docker CLI whose daemon answers, within a few seconds. */
    static boolean dockerAvailable() {
        return CommandRunner.query(List.of("docker", "version", "--format", "{{.Server.Version}}"), 10) != null;
    }

    static boolean podmanAvailable() {
        return CommandRunner.query(List.of("podman", "--version"), 10) != null;
    }

    /**
     * The engine to use: {@code preferred} when given, else docker when its daemon answers, else
     * podman; the reason is appended to {@code why}.
     */
    static Engine select(String preferred, StringBuilder why) throws ImageBuildException {
        if (preferred != null && !preferred.isBlank()) {
            if (CommandRunner.query(List.of(preferred, "--version"), 10) == null) {
                throw new ImageBuildException("the engine '" + preferred + "' does not run here (its --version "
                        + "failed); install it or choose another engine (docker, podman)");
            }
            why.append("engine '").append(preferred).append("' requested");
            return new Engine(preferred);
        }
        if (dockerAvailable()) {
            why.append("a docker daemon answers");
            return new Engine("docker");
        }
        if (podmanAvailable()) {
            why.append("no docker daemon answers; podman is installed");
            return new Engine("podman");
        }
        throw new ImageBuildException("no container engine: no docker daemon answers and podman is not installed. "
                + "Install podman (apt-get install podman) or start docker, or use builder=native");
    }

    /** Builds and saves the image as {@code workDir/image.tar} (docker-archive). */
    BuiltImage build(BuildRequest req, Path workDir, String reason) throws IOException {
        Files.createDirectories(workDir);
        Path iidFile = workDir.resolve("image.iid");
        Path archive = workDir.resolve("image.tar");
        Files.deleteIfExists(iidFile);
        Files.deleteIfExists(archive);

        Path dockerfile = FromPlatforms.forEngine(req.dockerfile(), workDir);
        if (!dockerfile.equals(req.dockerfile())) {
            req.log().accept("[webvm] FROM --platform values written as os/arch (" + command
                    + " accepts no other form) in " + dockerfile);
        }
        boolean chroot = isPodman() && NEEDS_CHROOT.getOrDefault(command, false);
        CommandRunner.Result result = CommandRunner.run(buildCommand(req, dockerfile, iidFile, chroot), req.context(),
                Map.of(), req.log());
        if (!result.ok() && isPodman() && !chroot && runtimeCannotStart(result)) {
            req.log().accept("[webvm] podman's default OCI runtime cannot start containers on this host; "
                    + "retrying with --isolation=chroot");
            NEEDS_CHROOT.put(command, true);
            chroot = true;
            result = CommandRunner.run(buildCommand(req, dockerfile, iidFile, true), req.context(), Map.of(), req.log());
        }
        if (!result.ok()) {
            throw new ImageBuildException(command + " build failed (exit status " + result.exitCode() + ") for "
                    + req.dockerfile() + "; its last output:\n" + result.tailText());
        }
        String imageId = Files.readString(iidFile).trim();
        if (!imageId.startsWith("sha256:")) {
            imageId = "sha256:" + imageId;
        }
        List<String> save = new ArrayList<>(List.of(command, "save"));
        if (isPodman()) {
            save.addAll(List.of("--format", "docker-archive"));
        }
        save.addAll(List.of("-o", archive.toString(), imageId.substring("sha256:".length())));
        CommandRunner.Result saved = CommandRunner.run(save, workDir, Map.of(), req.log());
        if (!saved.ok()) {
            throw new ImageBuildException(command + " save of " + imageId + " failed (exit status "
                    + saved.exitCode() + "):\n" + saved.tailText());
        }
        return new BuiltImage(archive, BuiltImage.Format.DOCKER_ARCHIVE, Backend.ENGINE, command, imageId,
                reason + (chroot ? "; podman --isolation=chroot" : ""));
    }

    List<String> buildCommand(BuildRequest req, Path dockerfile, Path iidFile, boolean chroot) {
        List<String> cmd = new ArrayList<>(List.of(command, "build", "--platform", FromPlatforms.normalize(req.platform()),
                "-f", dockerfile.toString(), "--iidfile", iidFile.toString()));
        if (chroot) {
            cmd.add("--isolation=chroot");
        }
        if (isPodman()) {
            // docker format keeps SHELL, HEALTHCHECK and ONBUILD, which the OCI format drops
            cmd.add("--format=docker");
        }
        if (isPodman() && req.allowInsecureRegistries() && insecureIsSafe(req)) {
            cmd.add("--tls-verify=false");
        }
        if (req.offline() && isPodman()) {
            cmd.add("--pull=never");
        }
        if (req.target() != null) {
            cmd.addAll(List.of("--target", req.target()));
        }
        req.buildArgs().forEach((k, v) -> cmd.addAll(List.of("--build-arg", k + "=" + v)));
        cmd.add(req.context().toString());
        return cmd;
    }

    /**
     * podman's --tls-verify=false applies to every registry of the build, so it is passed only when
     * every registry FROM names is on this machine (the only kind allowInsecureRegistries allows).
     */
    private static boolean insecureIsSafe(BuildRequest req) {
        List<String> remote = new ArrayList<>();
        try {
            for (Stage st : Dockerfile.read(req.dockerfile()).stagesFor(req.target(), req.buildArgs(), req.platform())) {
                String base = st.base();
                boolean registry = st.baseStage() < 0 && !st.isScratch() && !base.matches("[a-z-]+:[./].*");
                if (registry && !RegistryClient.Reference.parse(base).onLoopback()) {
                    remote.add(base);
                }
            }
        } catch (IOException e) {
            remote.add("(the Dockerfile could not be read: " + e.getMessage() + ")");
        }
        if (!remote.isEmpty()) {
            req.log().accept("[webvm] allowInsecureRegistries covers registries on this machine only; podman keeps"
                    + " verifying TLS because FROM names " + String.join(", ", remote));
        }
        return remote.isEmpty();
    }

    /** crun/runc failing to create the container (cgroups, namespaces), as opposed to a failing RUN command. */
    private static boolean runtimeCannotStart(CommandRunner.Result r) {
        return r.outputContains("creating container for")
                || r.outputContains("container create message")
                || r.outputContains("cgroups in hybrid mode")
                || r.outputContains("OCI runtime error");
    }
}
