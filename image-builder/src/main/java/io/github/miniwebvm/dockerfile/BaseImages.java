package io.github.miniwebvm.dockerfile;

import io.github.miniwebvm.io.Sha256;
import io.github.miniwebvm.io.Trees;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;

/**
 * Resolves the image of a FROM or {@code COPY --from=image}: {@code scratch},
 * {@code oci:<layout dir>[:tag]}, {@code oci-archive:<tar>[:tag]}, {@code docker-archive:<tar>},
 * or a registry reference ({@code [docker://]host[:port]/repo[:tag|@digest]}).
 */
final class BaseImages {
    private final BuildRequest req;
    private final Map<String, ImageState> resolved = new HashMap<>();

    BaseImages(BuildRequest req) {
        this.req = req;
    }

    /** True when the reference names something the native builder can read (used by builder=auto). */
    static String unsupportedReason(String ref) {
        if (ref.equalsIgnoreCase("scratch") || ref.startsWith("oci:") || ref.startsWith("oci-archive:")
                || ref.startsWith("docker-archive:") || ref.startsWith("docker://")) {
            return null;
        }
        if (ref.startsWith("containers-storage:") || ref.startsWith("docker-daemon:")) {
            return "FROM " + ref + " names an engine's local storage";
        }
        String first = ref.contains("/") ? ref.substring(0, ref.indexOf('/')) : "";
        if (first.equals("localhost")) {
            return "FROM " + ref + " names a local engine image (localhost/ without a port is podman's local storage)";
        }
        return null;
    }

    ImageState resolve(String ref) throws IOException {
        ImageState s = resolved.get(ref);
        if (s == null) {
            s = load(ref);
            resolved.put(ref, s);
        }
        return s.copy();
    }

    private ImageState load(String ref) throws IOException {
        String platform = req.platform();
        if (ref.equalsIgnoreCase("scratch")) {
            return ImageState.scratch(platform);
        }
        if (ref.startsWith("oci:")) {
            String[] pt = pathAndTag(ref.substring(4));
            return ImageLayouts.readOciLayout(existing(pt[0], ref), pt[1], platform);
        }
        if (ref.startsWith("oci-archive:")) {
            String[] pt = pathAndTag(ref.substring("oci-archive:".length()));
            return ImageLayouts.readOciLayout(extract(existing(pt[0], ref)), pt[1], platform);
        }
        if (ref.startsWith("docker-archive:")) {
            return ImageLayouts.readDockerArchiveDir(extract(existing(ref.substring("docker-archive:".length()), ref)),
                    platform);
        }
        String why = unsupportedReason(ref);
        if (why != null) {
            throw new ImageBuildException(why + "; the native builder reads registries, oci:, oci-archive: and "
                    + "docker-archive: images. Push it to a registry, save it (podman save --format oci-archive), "
                    + "or use builder=engine");
        }
        if (req.offline()) {
            throw new ImageBuildException("FROM " + ref + " needs a registry but the build is offline; use an "
                    + "oci-archive:/oci: image or turn offline off");
        }
        RegistryClient.Reference r = RegistryClient.Reference.parse(ref);
        req.log().accept("[webvm] resolving " + r + " for " + platform);
        return new RegistryClient(req.cacheDirectory(), req.allowInsecureRegistries(), req.log()).pull(r, platform);
    }

    private Path existing(String p, String ref) throws ImageBuildException {
        Path path = Path.of(p);
        if (!path.isAbsolute()) {
            path = req.context().resolve(p);
        }
        if (!Files.exists(path)) {
            throw new ImageBuildException("FROM " + ref + ": " + path + " does not exist");
        }
        return path;
    }

    /** {@code path[:tag]}: a tag is a last ':' segment without '/'. */
    private static String[] pathAndTag(String s) {
        int colon = s.lastIndexOf(':');
        if (colon > 0 && colon > s.lastIndexOf('/')) {
            return new String[] {s.substring(0, colon), s.substring(colon + 1)};
        }
        return new String[] {s, null};
    }

    /**
     * Unpacks an archive once into the cache, keyed by its path, size and modification time. Only
     * files, directories and links are unpacked, owned by the builder and confined to the folder.
     */
    private Path extract(Path archive) throws IOException {
        String key = Sha256.hexOfOciDigest(Sha256.ociDigest(archive.toAbsolutePath() + "|" + Files.size(archive) + "|"
                + Files.getLastModifiedTime(archive).toMillis()));
        Path dir = req.cacheDirectory().resolve("native/archives/" + key);
        if (Files.isDirectory(dir)) {
            return dir;
        }
        Path part = Files.createTempDirectory(Files.createDirectories(dir.getParent()), key + "-");
        try (InputStream tar = Decompressed.open(archive)) {
            new TarExtractor(new ConfinedRoot(part), TarExtractor.Rules.IMAGE_ARCHIVE, "the image archive " + archive,
                    req.log()).extract(tar, part);
            Files.move(part, dir, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
            Trees.deleteRecursively(part);   // another build unpacked it meanwhile
        } catch (IOException e) {
            Trees.deleteRecursively(part);
            throw e instanceof ImageBuildException ? e : new ImageBuildException("cannot unpack " + archive + ": "
                    + e.getMessage(), e);
        }
        return dir;
    }
}
