/**
 * Our Dockerfile parser: {@link io.github.miniwebvm.build.dockerfile.Dockerfile} (parse, stages,
 * global ARGs, target selection, expansion helpers), its
 * {@link io.github.miniwebvm.build.dockerfile.Instruction}s and
 * {@link io.github.miniwebvm.build.dockerfile.Heredoc}s,
 * {@link io.github.miniwebvm.build.dockerfile.Stage}, variable expansion
 * ({@link io.github.miniwebvm.build.dockerfile.Words}), {@code .dockerignore} matching
 * ({@link io.github.miniwebvm.build.dockerfile.DockerIgnore}) and
 * {@link io.github.miniwebvm.build.dockerfile.DockerfileException} (with the line number).
 */
package io.github.miniwebvm.build.dockerfile;
