package io.github.miniwebvm.site;

import io.github.miniwebvm.runtime.WebvmJson;
import java.util.List;
import java.util.Objects;

/**
 * What {@link SiteAssembler#assemble} wrote.
 *
 * @param webvmJson the site's {@code webvm.json} as written; a build-time snapshot is added to it
 *     with {@link WebvmJson#withSnapshot} and written again with {@link WebvmJson#write}
 * @param files the site-relative paths written, in order
 */
public record AssembledSite(WebvmJson webvmJson, List<String> files) {
  public AssembledSite {
    Objects.requireNonNull(webvmJson, "webvmJson");
    files = List.copyOf(files);
  }
}
