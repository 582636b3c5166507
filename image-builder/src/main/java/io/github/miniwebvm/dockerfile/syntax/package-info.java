/**
 * Our Dockerfile parser: {@link io.github.miniwebvm.dockerfile.syntax.Dockerfile} (parse, stages,
 * global ARGs, target selection, expansion helpers), its
 * {@link io.github.miniwebvm.dockerfile.syntax.Instruction}s and
 * {@link io.github.miniwebvm.dockerfile.syntax.Heredoc}s,
 * {@link io.github.miniwebvm.dockerfile.syntax.Stage}, variable expansion
 * ({@link io.github.miniwebvm.dockerfile.syntax.Words}), {@code .dockerignore} matching
 * ({@link io.github.miniwebvm.dockerfile.syntax.DockerIgnore}) and
 * {@link io.github.miniwebvm.dockerfile.syntax.DockerfileException} (with the line number).
 */
package io.github.miniwebvm.dockerfile.syntax;
