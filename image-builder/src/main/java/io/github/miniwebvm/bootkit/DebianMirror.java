package io.github.miniwebvm.bootkit;

import io.github.miniwebvm.io.AtomicFiles;
import io.github.miniwebvm.io.Sha256;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.zip.GZIPInputStream;
import org.tukaani.xz.XZInputStream;

/**
 * Reads one architecture of a Debian mirror: the {@code Release} file, the {@code Packages} index
 * it lists (its SHA256 checked against {@code Release}) and {@code .deb} files (their SHA256 checked
 * against the index). Everything is cached; offline, only the cache is used.
 *
 * <p>The {@code InRelease}/{@code Release.gpg} signature is not verified: the checksums protect
 * against corrupt downloads and caches, HTTPS against a network that lies, nothing against a
 * mirror that lies. A plain-HTTP mirror that is not on this machine is used with a warning.
 */
final class DebianMirror {
    private static final List<String> INDEX_NAMES = List.of("Packages.xz", "Packages.gz");

    private final URI mirror;
    private final String suite;
    private final String arch;
    private final Path cache;
    private final boolean offline;
    private final Consumer<String> log;
    private final Predicate<String> wanted;
    private HttpClient http;
    private PackageIndex index;
    private boolean indexIsSubset;

    /**
     * {@code wanted} names the packages this run may ask for; their stanzas are also cached apart,
     * so that the next run need not decompress and parse the whole index again.
     */
    DebianMirror(URI mirror, String suite, String arch, Path cache, boolean offline, Consumer<String> log,
                 Predicate<String> wanted) {
        this.wanted = wanted;
        String base = mirror.toString();
        this.mirror = URI.create(base.endsWith("/") ? base : base + "/");
        this.suite = suite;
        this.arch = arch;
        this.cache = cache;
        this.offline = offline;
        this.log = log;
    }

    /** An {@code http:} mirror that is not on this machine (loopback names and addresses are fine). */
    static boolean isPlainHttpElsewhere(URI mirror) {
        if (!"http".equalsIgnoreCase(mirror.getScheme())) {
            return false;
        }
        String host = mirror.getHost() == null ? "" : mirror.getHost().toLowerCase(Locale.ROOT);
        return !(host.equals("localhost") || host.endsWith(".localhost") || host.startsWith("127.")
                || host.equals("[::1]") || host.equals("::1"));
    }

    Path indexDirectory() {
        String host = mirror.getHost() == null ? "local" : mirror.getHost();
        return cache.resolve("dists").resolve(host + mirror.getPath().replace('/', '_')).resolve(suite)
                .resolve("main").resolve("binary-" + arch);
    }

    Path poolDirectory() {
        return cache.resolve("pool");
    }

    /** The newest version of package {@code name} in the index. */
    Optional<PackageIndex.Entry> newest(String name) throws IOException {
        if (index == null) {
            index = loadIndex(true);
        }
        Optional<PackageIndex.Entry> found = index.newest(name);
        if (found.isEmpty() && indexIsSubset) {
            index = loadIndex(false);
            found = index.newest(name);
        }
        return found;
    }

    private PackageIndex loadIndex(boolean subsetAllowed) throws IOException {
        Path dir = indexDirectory();
        Path release = dir.resolve("Release");
        if (offline || !subsetAllowed) {
            if (!Files.isRegularFile(release)) {
                throw new BootKitException("offline: the Debian index of " + suite + "/" + arch + " from " + mirror
                        + " is not in the cache (" + release + "); run once online to fill the cache");
            }
        } else {
            Files.createDirectories(dir);
            if (isPlainHttpElsewhere(mirror)) {
                log.accept("WARNING: boot kit: the Debian mirror " + mirror + " is plain HTTP and the Release"
                        + " signature is not checked, so anyone on the network path could replace the kernel;"
                        + " use an https:// mirror (debianMirror=https://deb.debian.org/debian)");
            }
            download(mirror.resolve("dists/" + suite + "/Release"), release, null, -1);
        }
        Map<String, String> sums = releaseSha256(release);
        for (String name : INDEX_NAMES) {
            String key = "main/binary-" + arch + "/" + name;
            String expected = sums.get(key);
            if (expected == null) {
                continue;
            }
            Path file = dir.resolve(name);
            if (!Files.isRegularFile(file) || !Sha256.hex(file).equals(expected)) {
                if (offline) {
                    throw new BootKitException("offline: " + file + " is missing or does not match " + release
                            + "; run once online to fill the cache");
                }
                log.accept("boot kit: downloading " + key + " of " + suite + " from " + mirror);
                download(mirror.resolve("dists/" + suite + "/" + key), file, expected, -1);
            }
            Path subset = dir.resolve("Packages.subset-" + expected);
            if (subsetAllowed && Files.isRegularFile(subset)) {
                try (Reader in = Files.newBufferedReader(subset, StandardCharsets.UTF_8)) {
                    indexIsSubset = true;
                    return PackageIndex.parse(in);
                }
            }
            indexIsSubset = false;
            PackageIndex parsed;
            try (InputStream raw = Files.newInputStream(file);
                 InputStream in = name.endsWith(".xz") ? new XZInputStream(raw, 1 << 20) : new GZIPInputStream(raw)) {
                parsed = PackageIndex.parse(new InputStreamReader(in, StandardCharsets.UTF_8));
            }
            log.accept("boot kit: " + parsed.packageCount() + " packages in " + suite + "/main/" + arch);
            try (var old = Files.list(dir)) {
                for (Path p : (Iterable<Path>) old::iterator) {
                    if (p.getFileName().toString().startsWith("Packages.subset-")) {
                        Files.deleteIfExists(p);
                    }
                }
            }
            AtomicFiles.write(subset, parsed.subset(wanted).getBytes(StandardCharsets.UTF_8));
            return parsed;
        }
        throw new BootKitException(release + " lists no main/binary-" + arch + "/Packages.xz or .gz; "
                + "is '" + suite + "' a suite of " + mirror + " with architecture " + arch + "?");
    }

    /** The {@code SHA256:} section of a Release file: path → hash. */
    static Map<String, String> releaseSha256(Path release) throws IOException {
        Map<String, String> out = new HashMap<>();
        boolean inSection = false;
        for (String line : Files.readAllLines(release, StandardCharsets.UTF_8)) {
            if (!line.isEmpty() && !Character.isWhitespace(line.charAt(0))) {
                inSection = line.startsWith("SHA256:");
            } else if (inSection) {
                String[] parts = line.strip().split("\\s+");
                if (parts.length == 3) {
                    out.put(parts[2], parts[0]);
                }
            }
        }
        return out;
    }

    /** The verified .deb of {@code entry}, from the cache or downloaded into it. */
    Path deb(PackageIndex.Entry entry) throws IOException {
        if (entry.filename() == null || entry.sha256() == null) {
            throw new BootKitException("the index entry of " + entry.name() + " " + entry.version()
                    + " has no Filename or SHA256 field");
        }
        Path file = poolDirectory().resolve(entry.filename().substring(entry.filename().lastIndexOf('/') + 1));
        if (Files.isRegularFile(file)) {
            String actual = Sha256.hex(file);
            if (actual.equals(entry.sha256())) {
                return file;
            }
            if (offline) {
                throw new BootKitException("offline: the cached " + file + " is corrupt (sha256 " + actual
                        + ", the index says " + entry.sha256() + "); delete it and run once online");
            }
            log.accept("boot kit: cached " + file.getFileName() + " is corrupt (sha256 " + actual
                    + "), downloading it again");
        } else if (offline) {
            throw new BootKitException("offline: " + entry.name() + " " + entry.version() + " is not in the cache ("
                    + file + "); run once online to fill the cache");
        }
        Files.createDirectories(file.getParent());
        log.accept("boot kit: downloading " + entry.name() + " " + entry.version() + " (" + entry.size() + " bytes)");
        download(mirror.resolve(entry.filename()), file, entry.sha256(), entry.size());
        return file;
    }

    private void download(URI uri, Path target, String expectedSha256, long expectedSize) throws IOException {
        if (http == null) {
            http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
                    .proxy(ProxySelector.getDefault())   // honours -Dhttp.proxyHost and friends
                    .connectTimeout(Duration.ofSeconds(30)).build();
        }
        Path tmp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".part");
        try {
            HttpResponse<Path> response;
            try {
                response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(10)).GET().build(),
                        HttpResponse.BodyHandlers.ofFile(tmp));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BootKitException("interrupted while downloading " + uri, e);
            } catch (IOException e) {
                throw new BootKitException("cannot download " + uri + ": " + e
                        + " (check the network or the mirror, or use offline mode with a filled cache)", e);
            }
            if (response.statusCode() != 200) {
                throw new BootKitException("cannot download " + uri + ": HTTP " + response.statusCode());
            }
            long size = Files.size(tmp);
            if (expectedSize >= 0 && size != expectedSize) {
                throw new BootKitException("downloaded " + uri + " has " + size + " bytes, the index says "
                        + expectedSize);
            }
            if (expectedSha256 != null) {
                String actual = Sha256.hex(tmp);
                if (!actual.equals(expectedSha256)) {
                    throw new BootKitException("downloaded " + uri + " has sha256 " + actual + ", the index says "
                            + expectedSha256 + " (mirror out of sync or corrupted transfer; try again or another mirror)");
                }
            }
            AtomicFiles.replace(tmp, target);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
