package io.github.miniwebvm.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BootStateCacheTest {
  @TempDir
  Path tmp;

  private static String stateName(int i) {
    return String.format("%064x.bin", i);
  }

  @Test
  void keepsTheMostRecentlyUsedStatesAndTouchesNothingElse() throws Exception {
    Path cache = Files.createDirectories(tmp.resolve("boot-states"));
    Instant now = Instant.parse("2026-12-07T12:00:00Z");
    List<Path> states = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      Path state = Files.write(cache.resolve(stateName(i)), new byte[] {(byte) i});
      // state 0 is the oldest, state 5 the most recently used
      Files.setLastModifiedTime(state, FileTime.from(now.plusSeconds(60L * i)));
      states.add(state);
    }
    Path notes = Files.writeString(cache.resolve("notes.txt"), "mine");
    Path inProgress = Files.writeString(cache.resolve("boot-state-123.tmp"), "another build's");
    Path outside = Files.writeString(tmp.resolve("outside.bin"), "not the cache's");
    Path link = Files.createSymbolicLink(cache.resolve(stateName(99)), outside);
    Files.setLastModifiedTime(outside, FileTime.from(now.minusSeconds(3600)));

    Snapshotter.pruneBootStates(cache, 4);

    try (Stream<Path> left = Files.list(cache)) {
      assertThat(left.map(p -> p.getFileName().toString()).sorted().toList()).containsExactly(
          stateName(2), stateName(3), stateName(4), stateName(5), stateName(99), "boot-state-123.tmp", "notes.txt");
    }
    assertThat(Files.readString(outside)).isEqualTo("not the cache's");
    assertThat(link).isSymbolicLink();
    assertThat(notes).hasContent("mine");
    assertThat(inProgress).hasContent("another build's");
  }

  @Test
  void aCacheWithFewerStatesThanKeptStaysAsItIs() throws Exception {
    Path cache = Files.createDirectories(tmp.resolve("boot-states"));
    Path only = Files.write(cache.resolve(stateName(1)), new byte[] {1});
    Snapshotter.pruneBootStates(cache, Snapshotter.BOOT_STATES_KEPT);
    assertThat(only).exists();
  }

  @Test
  void aStateIsMovedIntoTheCacheOrTheBuildIsWarnedThatItCannotBe() throws Exception {
    Path cache = tmp.resolve("boot-states");
    List<String> warnings = new ArrayList<>();
    Snapshotter snapshotter = Snapshotter.builder().bootStateCache(cache).warn(warnings::add).build();
    Path saved = Files.write(tmp.resolve("boot-state.bin"), new byte[] {7});
    snapshotter.keepBootState(saved, cache.resolve(stateName(7)));
    assertThat(cache.resolve(stateName(7))).hasBinaryContent(new byte[] {7});
    assertThat(saved).doesNotExist();
    assertThat(warnings).isEmpty();

    // a cache folder that cannot be made (a file is in its place): the snapshot goes on, with a warning
    Path blocked = Files.writeString(tmp.resolve("not-a-folder"), "a file");
    Snapshotter blockedSnapshotter = Snapshotter.builder().bootStateCache(blocked.resolve("boot-states"))
        .warn(warnings::add).build();
    Path again = Files.write(tmp.resolve("boot-state-2.bin"), new byte[] {8});
    blockedSnapshotter.keepBootState(again, blocked.resolve("boot-states").resolve(stateName(8)));
    assertThat(warnings).singleElement().asString().contains("could not keep the boot before the disk")
        .contains("writable");
    assertThat(blocked).hasContent("a file");
  }
}
