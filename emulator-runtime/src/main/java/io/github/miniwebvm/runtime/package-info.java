/**
 * The contract between a site build and the browser runtime of this module: {@code webvm.json},
 * what the page, the service worker and the build-time snapshot boot read
 * ({@code site-template/FORMAT.md}).
 *
 * <p>{@link io.github.miniwebvm.runtime.SiteConfig} holds what a site boots and checks every
 * limit of it once (guest memory, v86's disk size, the network, CheerpX's settings);
 * {@link io.github.miniwebvm.runtime.WebvmJson} adds the asset names and the build-time snapshot
 * and is the one writer and reader of the file.
 */
package io.github.miniwebvm.runtime;
