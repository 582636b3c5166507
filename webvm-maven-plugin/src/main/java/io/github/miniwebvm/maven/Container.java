package io.github.miniwebvm.maven;

import java.util.List;
import java.util.Map;

/**
 * The {@code <container>} block: overrides of the image's run configuration, as in
 * jib-maven-plugin. Unset fields keep the image's own values; an {@code entrypoint} of
 * {@code INHERIT} (the default) keeps the image's entrypoint.
 */
public class Container {
    /** The command to run; {@code INHERIT} keeps the image's ENTRYPOINT. */
    List<String> entrypoint;
    /** Arguments to the entrypoint (the image's CMD when the entrypoint is inherited). */
    List<String> args;
    /** Environment variables added to (or replacing those of) the image. */
    Map<String, String> environment;
    /** The working directory of the command. */
    String workingDirectory;
    /** {@code user}, {@code uid}, {@code user:group} or {@code uid:gid}, resolved in the image. */
    String user;

    public List<String> getEntrypoint() { return entrypoint; }
    public List<String> getArgs() { return args; }
    public Map<String, String> getEnvironment() { return environment; }
    public String getWorkingDirectory() { return workingDirectory; }
    public String getUser() { return user; }
}
