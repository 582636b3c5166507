package io.github.miniwebvm.dockerfile.syntax;

import java.util.List;

/**
 * One {@code FROM} section of a Dockerfile.
 *
 * @param index        0-based position among all stages
 * @param name         the {@code AS} name in lower case, or null
 * @param base         the FROM image reference with the global ARGs expanded ({@code scratch}, a stage name, an image)
 * @param baseStage    index of the earlier stage {@link #base()} names, or -1 for an image
 * @param platform     the {@code --platform} flag expanded, or null
 * @param line         line of the FROM instruction
 * @param instructions the instructions after FROM, in order
 */
public record Stage(int index, String name, String base, int baseStage, String platform, int line,
                    List<Instruction> instructions) {

    /** The name for messages and {@code COPY --from}: the AS name or the index. */
    public String displayName() {
        return name != null ? name : String.valueOf(index);
    }

    public boolean isScratch() {
        return baseStage < 0 && base.equalsIgnoreCase("scratch");
    }
}
