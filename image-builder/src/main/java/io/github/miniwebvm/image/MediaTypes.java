package io.github.miniwebvm.image;

/** The OCI and Docker media types the image readers, the registry client and the layout writer name. */
public final class MediaTypes {
    public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    public static final String DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    public static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    public static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
    public static final String OCI_LAYER = "application/vnd.oci.image.layer.v1.tar";
    public static final String OCI_LAYER_GZIP = OCI_LAYER + "+gzip";
    public static final String OCI_LAYER_ZSTD = OCI_LAYER + "+zstd";

    private MediaTypes() {
    }
}
