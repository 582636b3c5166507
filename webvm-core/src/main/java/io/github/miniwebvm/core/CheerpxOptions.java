package io.github.miniwebvm.core;

import io.github.miniwebvm.runtime.SiteConfig;

/**
 * Leaning Technologies' CheerpX engine, loaded by the page from their CDN. Immutable; made with
 * {@link #builder()}, validated when built.
 *
 * @param version             the CheerpX version
 * @param url                 where CheerpX is loaded from instead of the CDN: a folder holding
 *                            {@code cx.esm.js} or the module's URL; {@code null} for the CDN
 * @param diskUrl             an external disk instead of the site's own ({@code wss://} cloud disk or an
 *                            {@code https://…/IMAGE.ext2} served with Range support); {@code null} for the site's
 * @param tailscale           offer networking through Tailscale
 * @param tailscaleControlUrl a Tailscale control server such as Headscale, or {@code null}
 */
public record CheerpxOptions(String version, String url, String diskUrl, boolean tailscale, String tailscaleControlUrl) {
    public CheerpxOptions {
        // the page's settings check the values, with the same names
        SiteConfig.Cheerpx checked = new SiteConfig.Cheerpx(version, url, diskUrl, tailscale, tailscaleControlUrl);
        version = checked.version();
        url = checked.url();
        diskUrl = checked.diskUrl();
        tailscaleControlUrl = checked.tailscaleControlUrl();
    }

    public static CheerpxOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private String version;
        private String url;
        private String diskUrl;
        private boolean tailscale;
        private String tailscaleControlUrl;

        private Builder() {
        }

        public Builder version(String version) {
            this.version = version;
            return this;
        }

        public Builder url(String url) {
            this.url = url;
            return this;
        }

        public Builder diskUrl(String url) {
            this.diskUrl = url;
            return this;
        }

        public Builder tailscale(boolean tailscale) {
            this.tailscale = tailscale;
            return this;
        }

        public Builder tailscaleControlUrl(String url) {
            this.tailscaleControlUrl = url;
            return this;
        }

        public CheerpxOptions build() {
            return new CheerpxOptions(version, url, diskUrl, tailscale, tailscaleControlUrl);
        }
    }
}
