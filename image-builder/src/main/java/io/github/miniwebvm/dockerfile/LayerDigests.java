package io.github.miniwebvm.dockerfile;

import io.github.miniwebvm.io.Sha256;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;

/**
 * Checks a layer blob against what its image says of it, before anything of it is unpacked: the
 * blob's own digest (the manifest's) and the digest of its uncompressed tar (the configuration's
 * diff id). When the two names are the same (a docker-archive, whose layers are named by their
 * diff ids, or a configuration without diff ids) either match is enough.
 */
final class LayerDigests {
    private LayerDigests() {
    }

    static void verify(Layer layer) throws IOException {
        checkSyntax(layer, layer.digest());
        checkSyntax(layer, layer.diffId());
        if (!Files.isRegularFile(layer.blob(), LinkOption.NOFOLLOW_LINKS)) {
            throw new ImageBuildException("layer " + layer.digest() + ": its blob " + layer.blob()
                    + " is missing or not a regular file; the image is incomplete");
        }
        MessageDigest blobSha = Sha256.newDigest();
        MessageDigest tarSha = Sha256.newDigest();
        String tarDigest = null;
        IOException unreadable = null;
        try (InputStream raw = Files.newInputStream(layer.blob());
             DigestInputStream blob = new DigestInputStream(raw, blobSha)) {
            try {
                InputStream tar = new DigestInputStream(Decompressed.of(blob), tarSha);
                tar.transferTo(OutputStream.nullOutputStream());
                tarDigest = Sha256.ociDigestOf(tarSha);
            } catch (IOException e) {
                unreadable = e;
            }
            blob.transferTo(OutputStream.nullOutputStream());
        }
        String blobDigest = Sha256.ociDigestOf(blobSha);
        boolean blobMatches = blobDigest.equals(layer.digest());
        boolean tarMatches = layer.diffId().equals(tarDigest);
        boolean oneName = layer.digest().equals(layer.diffId());
        if (oneName ? blobMatches || tarMatches : blobMatches && tarMatches) {
            return;
        }
        if (!blobMatches && !(oneName && tarMatches)) {
            throw new ImageBuildException("layer " + layer.digest() + " (" + layer.blob() + ") does not match its digest:"
                    + " the blob is " + blobDigest + (oneName && tarDigest != null ? ", its tar " + tarDigest : "")
                    + ". The image is corrupt or was tampered with; nothing of it was unpacked");
        }
        if (unreadable != null) {
            throw new ImageBuildException("layer " + layer.digest() + " (" + layer.blob() + ") cannot be decompressed: "
                    + unreadable.getMessage(), unreadable);
        }
        throw new ImageBuildException("layer " + layer.digest() + " (" + layer.blob() + ") is not the layer the image"
                + " configuration names: its tar is " + tarDigest + ", the diff id " + layer.diffId()
                + ". The image is corrupt or was tampered with; nothing of it was unpacked");
    }

    private static void checkSyntax(Layer layer, String digest) throws ImageBuildException {
        if (digest == null || !digest.matches("sha256:[0-9a-f]{64}")) {
            throw new ImageBuildException("layer " + layer.blob() + " is named by '" + digest
                    + "', not a sha256 digest, so it cannot be checked; the image is not supported");
        }
    }
}
