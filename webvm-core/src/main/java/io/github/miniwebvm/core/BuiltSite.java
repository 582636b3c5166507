package io.github.miniwebvm.core;

import java.nio.file.Path;
import java.time.Duration;

/**
 * What {@link WebVm#buildSite} did.
 *
 * @param directory the site folder, ready to deploy
 * @param rebuilt   false when the inputs had not changed and the site was left as it was
 * @param took      how long the call took
 */
public record BuiltSite(Path directory, boolean rebuilt, Duration took) {
}
