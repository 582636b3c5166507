package io.github.miniwebvm.core.internal.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.miniwebvm.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What a build made, kept as {@code site.json} in the work folder: the answer of a later run
 * that finds the site up to date.
 *
 * @param imageDigest what the disk was made from (the image's digest, or the ext2 input's size and time)
 * @param diskSha256  sha256 of the ext2 disk image
 * @param engine      {@code v86} or {@code cheerpx}
 * @param siteBytes   bytes of all the site's files
 * @param siteFiles   number of the site's files
 */
public record SiteReport(String imageDigest, String diskSha256, String engine, long siteBytes, long siteFiles) {
    static final String FILE = "site.json";

    void write(Path workDirectory, Path outputDirectory) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode n = json.createObjectNode();
        n.put("imageDigest", imageDigest);
        n.put("diskSha256", diskSha256);
        n.put("engine", engine);
        n.put("siteBytes", siteBytes);
        n.put("siteFiles", siteFiles);
        n.put("outputDirectory", outputDirectory.toAbsolutePath().toString());
        AtomicFiles.write(workDirectory.resolve(FILE), json.writerWithDefaultPrettyPrinter().writeValueAsBytes(n));
    }

    /** The last build's report; {@code null} when there is none (a work folder of an older version). */
    static SiteReport read(Path workDirectory) throws IOException {
        Path file = workDirectory.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            return null;
        }
        JsonNode n = new ObjectMapper().readTree(file.toFile());
        return new SiteReport(n.path("imageDigest").asText(), n.path("diskSha256").asText(), n.path("engine").asText(),
                n.path("siteBytes").asLong(), n.path("siteFiles").asLong());
    }
}
