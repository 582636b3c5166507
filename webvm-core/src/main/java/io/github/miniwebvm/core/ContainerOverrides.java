package io.github.miniwebvm.core;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Overrides of the image's run configuration, as {@code docker run} takes them. Unset values keep
 * the image's own. Immutable; made with {@link #builder()}.
 *
 * @param entrypoint       the command the VM runs instead of the image's ENTRYPOINT, or {@code null}
 * @param args             its arguments instead of the image's CMD, or {@code null}
 * @param environment      variables added to (or replacing those of) the image
 * @param workingDirectory the command's working directory, or {@code null}
 * @param user             {@code user}, {@code uid}, {@code user:group} or {@code uid:gid}, resolved in the image, or {@code null}
 */
public record ContainerOverrides(List<String> entrypoint, List<String> args, Map<String, String> environment,
                                 String workingDirectory, String user) {
    public ContainerOverrides {
        entrypoint = entrypoint == null ? null : List.copyOf(entrypoint);
        args = args == null ? null : List.copyOf(args);
        environment = Map.copyOf(environment);
        workingDirectory = Names.blankToNull(workingDirectory);
        user = Names.blankToNull(user);
    }

    public static ContainerOverrides none() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private List<String> entrypoint;
        private List<String> args;
        private final Map<String, String> environment = new LinkedHashMap<>();
        private String workingDirectory;
        private String user;

        private Builder() {
        }

        /** The command; {@code null}, empty or {@code [INHERIT]} keeps the image's ENTRYPOINT. */
        public Builder entrypoint(List<String> argv) {
            boolean inherit = argv == null || argv.isEmpty() || argv.equals(List.of("INHERIT"));
            this.entrypoint = inherit ? null : argv;
            return this;
        }

        /** {@code null} keeps the image's CMD; an empty list runs the entrypoint without arguments. */
        public Builder args(List<String> args) {
            this.args = args;
            return this;
        }

        public Builder environment(Map<String, String> variables) {
            variables.forEach((k, v) -> environment.put(Objects.requireNonNull(k), Objects.requireNonNull(v)));
            return this;
        }

        public Builder workingDirectory(String directory) {
            this.workingDirectory = directory;
            return this;
        }

        public Builder user(String user) {
            this.user = user;
            return this;
        }

        public ContainerOverrides build() {
            return new ContainerOverrides(entrypoint, args, environment, workingDirectory, user);
        }
    }
}
