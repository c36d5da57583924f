package io.objmapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The seed configuration's persistent tiers get small index files, or what {@code expected_objects} asks for. */
@Timeout(120)
class IndexSizingStoreTest {
  private static final long EIGHT_MB = 8L << 20;
  private static final String HDD_INDEX = "\"index_path\": \"/mnt/objmapper/hdd/.objmapper_index\"";

  @TempDir
  Path dir;

  private Path config(String text) throws IOException {
    return Files.writeString(dir.resolve("objmapper.conf"), text, StandardCharsets.UTF_8);
  }

  private static String seedText() throws IOException {
    return Files.readString(ConfigFileTest.seedConfig(), StandardCharsets.UTF_8);
  }

  @Test
  void theSeedConfigurationsEmptyIndexesTakeAtMostEightMegabytesEach() throws Exception {
    Path data = dir.resolve("data");
    try (ObjMapper store = ObjMapper.open(ConfigFileTest.seedConfig(), data)) {
      assertThat(store.tiers()).hasSize(3);
    } // close waits for the indexes opening in the background
    List<Path> maps = mapFiles(data);
    assertThat(maps).hasSize(2);
    for (Path map : maps) {
      assertThat(Files.size(map)).isLessThanOrEqualTo(EIGHT_MB);
      assertThat(TierIndexSizes.allocatedBytes(map)).isLessThanOrEqualTo(EIGHT_MB);
    }
  }

  @Test
  void expectedObjectsSizesOneBackendsIndexUpFront() throws Exception {
    String text = seedText().replace(HDD_INDEX, HDD_INDEX + ", \"expected_objects\": 300000");
    Path data = dir.resolve("data");
    try (ObjMapper store = ObjMapper.open(config(text), data)) {
      assertThat(store.tiers()).hasSize(3);
    }
    Path hdd = mapFiles(data.resolve("hdd")).get(0);
    Path nvme = mapFiles(data.resolve("nvme")).get(0);
    assertThat(Files.size(hdd)).as("300,000 entries at about 120 bytes").isGreaterThan(300_000L * 100);
    assertThat(Files.size(nvme)).isLessThanOrEqualTo(EIGHT_MB);
  }

  @Test
  void expectedObjectsBelowOneIsRefusedNamingTheKey() throws Exception {
    for (String bad : List.of("0", "-5")) {
      Path file = config(seedText().replace(HDD_INDEX, HDD_INDEX + ", \"expected_objects\": " + bad));
      assertThatThrownBy(() -> ObjMapper.open(file, dir.resolve("data"))).isInstanceOf(ConfigurationException.class)
          .hasMessageContaining("backends[2].expected_objects").hasMessageContaining("must be > 0");
    }
  }

  private static List<Path> mapFiles(Path below) throws IOException {
    try (Stream<Path> files = Files.walk(below)) {
      return files.filter(p -> p.getFileName().toString().startsWith(".objmapper_index.map.")).sorted().toList();
    }
  }

  /** What {@code du} says a file takes on disk. */
  static final class TierIndexSizes {
    private TierIndexSizes() {}

    static long allocatedBytes(Path path) throws IOException {
      Process du = new ProcessBuilder("du", "-s", "-B1", path.toString()).redirectErrorStream(true).start();
      String out = new String(du.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      return Long.parseLong(out.split("\\s+")[0]);
    }
  }
}
