package io.github.miniwebvm.dockerfile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.miniwebvm.image.MediaTypes;
import io.github.miniwebvm.io.AtomicFiles;
import io.github.miniwebvm.io.Sha256;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;

/**
 * Pulls an image from a registry (Docker Registry HTTP API v2 / OCI distribution) into the blob
 * cache: anonymous bearer-token auth, manifest lists/indexes resolved to the platform, every blob
 * checked against its digest and its declared size. Plain HTTP only when insecure registries are
 * allowed, and then only for a registry on this machine. Manifests and token answers are read up to
 * {@value #MAX_DOCUMENT_BYTES} bytes, blobs up to the size their manifest gives.
 */
final class RegistryClient {
    private static final String ACCEPT = String.join(",",
            MediaTypes.OCI_INDEX, MediaTypes.DOCKER_LIST, MediaTypes.OCI_MANIFEST, MediaTypes.DOCKER_MANIFEST);
    private static final Pattern BEARER_PARAM = Pattern.compile("(\\w+)=\"([^\"]*)\"");
    static final int MAX_DOCUMENT_BYTES = 4 << 20;
    private static final Pattern LOOPBACK = Pattern.compile("(localhost|127(\\.\\d{1,3}){3}|\\[::1\\])(:\\d+)?",
            Pattern.CASE_INSENSITIVE);

    /** A parsed image reference. */
    record Reference(String registry, String repository, String reference) {
        static Reference parse(String ref) {
            String r = ref.startsWith("docker://") ? ref.substring("docker://".length()) : ref;
            String registry = "docker.io";
            int slash = r.indexOf('/');
            if (slash > 0) {
                String first = r.substring(0, slash);
                if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
                    registry = first;
                    r = r.substring(slash + 1);
                }
            }
            String reference;
            int at = r.indexOf('@');
            if (at >= 0) {
                reference = r.substring(at + 1);
                r = r.substring(0, at);
            } else {
                int colon = r.lastIndexOf(':');
                if (colon > r.lastIndexOf('/')) {
                    reference = r.substring(colon + 1);
                    r = r.substring(0, colon);
                } else {
                    reference = "latest";
                }
            }
            if (registry.equals("docker.io") && !r.contains("/")) {
                r = "library/" + r;
            }
            return new Reference(registry, r.toLowerCase(Locale.ROOT), reference);
        }

        /** A registry on this machine (localhost, 127.0.0.0/8, [::1]), the only kind plain HTTP is allowed for. */
        boolean onLoopback() {
            return LOOPBACK.matcher(registry).matches();
        }

        String apiHost() {
            return registry.equals("docker.io") ? "registry-1.docker.io" : registry;
        }

        @Override
        public String toString() {
            return registry + "/" + repository + (reference.startsWith("sha256:") ? "@" : ":") + reference;
        }
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(20))
            .followRedirects(HttpClient.Redirect.NORMAL).build();
    private final Path blobs;
    private final boolean allowInsecure;
    private final Consumer<String> log;
    private String scheme;
    private String token;

    RegistryClient(Path cacheDir, boolean allowInsecure, Consumer<String> log) {
        this.blobs = cacheDir.resolve("blobs/sha256");
        this.allowInsecure = allowInsecure;
        this.log = log;
    }

    /** Pulls {@code ref} for {@code platform}; layers and config land in the blob cache. */
    ImageState pull(Reference ref, String platform) throws IOException {
        Files.createDirectories(blobs);
        byte[] body = get(ref, "manifests/" + ref.reference(), ACCEPT);
        JsonNode manifest = ImageState.JSON.readTree(body);
        if (ref.reference().startsWith("sha256:")) {
            verify(body, ref.reference(), "manifest " + ref);
        }
        if (manifest.has("manifests")) {
            List<JsonNode> list = new ArrayList<>();
            manifest.path("manifests").forEach(list::add);
            JsonNode chosen = choosePlatform(list, platform, ref.toString());
            String digest = chosen.path("digest").asText();
            body = get(ref, "manifests/" + digest, ACCEPT);
            verify(body, digest, "manifest " + ref + "@" + digest);
            manifest = ImageState.JSON.readTree(body);
        }
        if (!manifest.has("config") || !manifest.has("layers")) {
            throw new ImageBuildException("unsupported manifest for " + ref + " (schema " +
                    manifest.path("schemaVersion").asText() + ", mediaType " + manifest.path("mediaType").asText()
                    + "): only image manifests v2/OCI are supported");
        }
        String configDigest = manifest.path("config").path("digest").asText();
        Path configFile = fetchBlob(ref, configDigest, manifest.path("config").path("size").asLong());
        ObjectNode config = (ObjectNode) ImageState.JSON.readTree(configFile.toFile());
        checkPlatform(config, platform, ref.toString());
        List<String> diffIds = diffIds(config, manifest.path("layers").size(), ref.toString());
        List<Layer> layers = new ArrayList<>();
        for (JsonNode l : manifest.path("layers")) {
            String d = l.path("digest").asText();
            String mt = l.path("mediaType").asText();
            if (mt.contains("foreign") || mt.contains("nondistributable")) {
                throw new ImageBuildException("layer " + d + " of " + ref + " is non-distributable (" + mt + ")");
            }
            layers.add(new Layer(fetchBlob(ref, d, l.path("size").asLong()), d, l.path("size").asLong(), mt,
                    diffIds.isEmpty() ? d : diffIds.get(layers.size())));
        }
        return new ImageState(layers, config, Sha256.ociDigest("image " + configDigest));
    }

    private Path fetchBlob(Reference ref, String digest, long size) throws IOException {
        Path target = blobs.resolve(Sha256.hexOfOciDigest(digest));
        if (Files.isRegularFile(target)) {
            return target;
        }
        if (size <= 0) {
            throw new ImageBuildException("the manifest of " + ref + " gives blob " + digest + " no size (" + size
                    + "); a manifest must declare the size of every blob");
        }
        log.accept("[webvm] pulling " + digest + " from " + ref.registry() + "/" + ref.repository());
        HttpResponse<InputStream> resp = send(ref, "blobs/" + digest, "*/*", HttpResponse.BodyHandlers.ofInputStream());
        Path part = Files.createTempFile(blobs, "pull-", ".part");
        MessageDigest md = Sha256.newDigest();
        try (InputStream in = new IdleTimeoutStream(resp.body(), UrlDownload.IDLE_TIMEOUT, "blob " + digest + " from " + ref);
             OutputStream out = Files.newOutputStream(part)) {
            byte[] buf = new byte[1 << 16];
            long total = 0;
            int n;
            while ((n = in.read(buf)) > 0) {
                total += n;
                if (total > size) {
                    throw new ImageBuildException("blob " + digest + " from " + ref + " is larger than the " + size
                            + " bytes its manifest declares; refusing the rest");
                }
                md.update(buf, 0, n);
                out.write(buf, 0, n);
            }
        } catch (IOException e) {
            Files.deleteIfExists(part);
            throw e;
        }
        String actual = Sha256.ociDigestOf(md);
        if (!actual.equals(digest)) {
            Files.deleteIfExists(part);
            throw new ImageBuildException("blob from " + ref + " does not match its digest: expected " + digest
                    + ", got " + actual);
        }
        AtomicFiles.replace(part, target);
        return target;
    }

    private static void verify(byte[] body, String digest, String what) throws ImageBuildException {
        String actual = Sha256.ociDigest(body);
        if (!actual.equals(digest)) {
            throw new ImageBuildException(what + " does not match its digest: got " + actual);
        }
    }

    private byte[] get(Reference ref, String path, String accept) throws IOException {
        HttpResponse<InputStream> resp = send(ref, path, accept, HttpResponse.BodyHandlers.ofInputStream());
        return readBounded(new IdleTimeoutStream(resp.body(), UrlDownload.IDLE_TIMEOUT, "GET " + resp.uri()),
                "GET " + resp.uri());
    }

    /** At most {@link #MAX_DOCUMENT_BYTES} of a manifest or token answer; more is an error. */
    static byte[] readBounded(InputStream body, String what) throws IOException {
        try (InputStream in = body) {
            byte[] bytes = in.readNBytes(MAX_DOCUMENT_BYTES + 1);
            if (bytes.length > MAX_DOCUMENT_BYTES) {
                throw new ImageBuildException(what + " answered more than " + MAX_DOCUMENT_BYTES
                        + " bytes, far more than any manifest; refusing it");
            }
            return bytes;
        }
    }

    private <T> HttpResponse<T> send(Reference ref, String path, String accept, HttpResponse.BodyHandler<T> handler)
            throws IOException {
        if (scheme == null) {
            scheme = probeScheme(ref);
        }
        URI uri = URI.create(scheme + "://" + ref.apiHost() + "/v2/" + ref.repository() + "/" + path);
        HttpResponse<T> resp = exchange(uri, accept, handler);
        if (resp.statusCode() == 401 && token == null) {
            String challenge = resp.headers().firstValue("WWW-Authenticate").orElse("");
            drain(resp);
            token = fetchToken(ref, challenge);
            resp = exchange(uri, accept, handler);
        }
        if (resp.statusCode() != 200) {
            drain(resp);
            throw new ImageBuildException("GET " + uri + " answered HTTP " + resp.statusCode()
                    + (resp.statusCode() == 404 ? " (no such image or tag?)" : "")
                    + (resp.statusCode() == 401 ? " (authentication required; only anonymous pulls are supported)" : ""));
        }
        return resp;
    }

    private static void drain(HttpResponse<?> resp) throws IOException {
        if (resp.body() instanceof InputStream in) {
            in.close();
        }
    }

    private <T> HttpResponse<T> exchange(URI uri, String accept, HttpResponse.BodyHandler<T> handler)
            throws IOException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).header("Accept", accept).timeout(Duration.ofMinutes(10));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        try {
            return http.send(b.build(), handler);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private String probeScheme(Reference ref) throws IOException {
        try {
            exchange(URI.create("https://" + ref.apiHost() + "/v2/"), "*/*", HttpResponse.BodyHandlers.discarding());
            return "https";
        } catch (SSLException e) {
            if (allowInsecure && !ref.onLoopback()) {
                throw new ImageBuildException("the registry " + ref.registry() + " does not speak TLS; plain HTTP is"
                        + " allowed (allowInsecureRegistries) only for registries on this machine (localhost,"
                        + " 127.0.0.1, [::1])", e);
            }
            if (allowInsecure) {
                log.accept("[webvm] " + ref.registry() + " does not speak TLS; using plain HTTP (insecure registries allowed)");
                return "http";
            }
            throw new ImageBuildException("the registry " + ref.registry() + " does not speak TLS (" + e.getMessage()
                    + "); allow insecure registries (allowInsecureRegistries) to pull from it over plain HTTP", e);
        } catch (IOException e) {
            throw new ImageBuildException("cannot reach the registry " + ref.registry() + " for " + ref + ": "
                    + e.getMessage() + " (offline? use an oci-archive: or oci: base image, or a reachable registry)", e);
        }
    }

    private String fetchToken(Reference ref, String challenge) throws IOException {
        if (!challenge.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw new ImageBuildException(ref.registry() + " requires authentication (" + challenge
                    + "); only anonymous bearer-token pulls are supported");
        }
        String realm = null;
        String service = null;
        String scope = "repository:" + ref.repository() + ":pull";
        Matcher m = BEARER_PARAM.matcher(challenge);
        while (m.find()) {
            switch (m.group(1)) {
                case "realm" -> realm = m.group(2);
                case "service" -> service = m.group(2);
                case "scope" -> scope = m.group(2);
                default -> { }
            }
        }
        if (realm == null) {
            throw new ImageBuildException("bearer challenge without realm from " + ref.registry() + ": " + challenge);
        }
        StringBuilder url = new StringBuilder(realm).append(realm.contains("?") ? "&" : "?");
        if (service != null) {
            url.append("service=").append(URLEncoder.encode(service, StandardCharsets.UTF_8)).append('&');
        }
        url.append("scope=").append(URLEncoder.encode(scope, StandardCharsets.UTF_8));
        HttpResponse<InputStream> resp;
        try {
            resp = http.send(HttpRequest.newBuilder(URI.create(url.toString())).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        byte[] answer = readBounded(resp.body(), "token request to " + realm);
        if (resp.statusCode() != 200) {
            throw new ImageBuildException("token request to " + realm + " answered HTTP " + resp.statusCode());
        }
        JsonNode t = ImageState.JSON.readTree(answer);
        String tok = t.path("token").asText(t.path("access_token").asText(null));
        if (tok == null) {
            throw new ImageBuildException("token response from " + realm + " has no token");
        }
        return tok;
    }

    /** The configuration's diff ids: none, or one per layer. */
    private static List<String> diffIds(JsonNode config, int layers, String where) throws ImageBuildException {
        List<String> out = new ArrayList<>();
        config.path("rootfs").path("diff_ids").forEach(n -> out.add(n.asText()));
        if (!out.isEmpty() && out.size() != layers) {
            throw new ImageBuildException("the image " + where + " has " + layers + " layers but its configuration lists "
                    + out.size() + " diff ids; the image is corrupt");
        }
        return out;
    }

    private static JsonNode choosePlatform(List<JsonNode> descriptors, String platform, String where)
            throws ImageBuildException {
        String[] want = platform.split("/");
        List<String> seen = new ArrayList<>();
        for (JsonNode d : descriptors) {
            JsonNode p = d.path("platform");
            String os = p.path("os").asText();
            String arch = p.path("architecture").asText();
            seen.add(os + "/" + arch);
            if (os.equals(want[0]) && arch.equals(want[1])) {
                return d;
            }
        }
        throw new ImageBuildException("no " + platform + " image in " + where + "; it has " + seen);
    }

    private static void checkPlatform(JsonNode config, String platform, String where) throws ImageBuildException {
        String[] want = platform.split("/");
        String os = config.path("os").asText(want[0]);
        String arch = config.path("architecture").asText(want[1]);
        if (!os.equals(want[0]) || !arch.equals(want[1])) {
            throw new ImageBuildException("the image " + where + " is " + os + "/" + arch + ", not " + platform);
        }
    }
}
