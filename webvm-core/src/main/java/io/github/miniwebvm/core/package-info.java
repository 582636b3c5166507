/**
 * The public API: {@link io.github.miniwebvm.core.WebVm} turns a {@link io.github.miniwebvm.core.Source}
 * (a Dockerfile or an image) into a static site that boots it in the browser, configured by
 * immutable option values ({@link io.github.miniwebvm.core.BuildOptions},
 * {@link io.github.miniwebvm.core.DiskOptions}, {@link io.github.miniwebvm.core.V86Options},
 * {@link io.github.miniwebvm.core.CheerpxOptions}, {@link io.github.miniwebvm.core.ContainerOverrides})
 * that check themselves when they are made. {@link io.github.miniwebvm.core.SiteServer} previews a
 * site on 127.0.0.1. Packages under {@code io.github.miniwebvm.core.internal} are not API.
 */
package io.github.miniwebvm.core;
