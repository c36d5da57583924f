package io.objmapper.examples.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ShardedLayoutTest {
  @Test
  void aNameLivesTwoHashShardsBelowTheRootUnderItsEncoding() {
    String relative = ShardedLayout.relativePath("/photos/cat.jpg");

    assertThat(relative).matches("[0-9a-f]{2}/[0-9a-f]{2}/cGhvdG9zL2NhdC5qcGc");
  }

  @Test
  void thePlaceOfANameNeverChanges() {
    // SHA-256 of "/photos/cat.jpg" starts with bytes 0xd3 0x77. Files already stored depend on
    // this: a change of hash or encoding would hide every one of them.
    assertThat(ShardedLayout.relativePath("/photos/cat.jpg"))
        .isEqualTo("d3/77/cGhvdG9zL2NhdC5qcGc")
        .startsWith(expectedShards("/photos/cat.jpg"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"/a", "/a/b", "/photos/2024/cat.jpg", "/données/日本語/😀.bin",
      "/with space", "/-dash_under~tilde", "/a/.hidden", "/..." })
  void aFileOfTheLayoutDecodesBackToItsName(String name) {
    assertThat(ShardedLayout.nameOf(Path.of(ShardedLayout.relativePath(name)))).isEqualTo(name);
  }

  @Test
  void anEncodingThatFitsOneFileNameIsNotCut() {
    String name = "/" + "x".repeat(190); // 190 bytes encode to 254 characters
    String longest = "/" + "x".repeat(191); // 191 bytes encode to 255 characters

    assertThat(Path.of(ShardedLayout.relativePath(name)).getNameCount()).isEqualTo(3);
    assertThat(Path.of(ShardedLayout.relativePath(longest)).getNameCount()).isEqualTo(3);
    assertThat(Path.of(ShardedLayout.relativePath(longest)).getFileName().toString())
        .hasSize(ShardedLayout.MAX_FILE_NAME);
  }

  @Test
  void aLongNameIsCutIntoMarkedDirectoriesThatEachFitAFileName() {
    String name = "/" + "long/".repeat(200) + "end";

    Path relative = Path.of(ShardedLayout.relativePath(name));

    assertThat(relative.getNameCount()).isGreaterThan(3);
    for (int i = 2; i < relative.getNameCount() - 1; i++) {
      assertThat(ShardedLayout.isChunkDirectory(relative.getName(i).toString())).isTrue();
    }
    for (Path part : relative) {
      assertThat(part.toString().length()).isLessThanOrEqualTo(ShardedLayout.MAX_FILE_NAME);
    }
    assertThat(ShardedLayout.nameOf(relative)).isEqualTo(name);
  }

  @Test
  void theDirectoriesOfACutNameAreMarkedSoNoObjectsFileCanTakeTheirPlace() {
    String cut = Path.of(ShardedLayout.relativePath("/" + "y".repeat(192))).getName(2).toString();

    assertThat(cut).endsWith(String.valueOf(ShardedLayout.CHUNK_MARK));
    for (int length = 1; length < 400; length++) {
      Path file = Path.of(ShardedLayout.relativePath("/" + "z".repeat(length))).getFileName();
      assertThat(file.toString()).doesNotContain(String.valueOf(ShardedLayout.CHUNK_MARK));
    }
  }

  @Test
  void namesSpreadOverTheShards() {
    Set<String> firstLevel = new HashSet<>();
    Set<String> bothLevels = new HashSet<>();
    for (int i = 0; i < 2000; i++) {
      Path relative = Path.of(ShardedLayout.relativePath("/objects/" + i));
      firstLevel.add(relative.getName(0).toString());
      bothLevels.add(relative.subpath(0, 2).toString());
    }

    assertThat(firstLevel).hasSizeGreaterThan(240);
    assertThat(bothLevels).hasSizeGreaterThan(1950);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "one", "ab/one", "ab/cd", "AB/cd/YQ", "ab/cd/YQ", "zz/cd/YQ", "abc/cd/YQ", "ab/cd/not base64",
      "ab/cd/YQ==", "ab/cd/dir/YQ", "ab/cd/.objmapper-tmp-1"})
  void pathsTheLayoutDoesNotProduceAreNotObjects(String relative) {
    // "YQ" is "a" encoded, but "a" does not live in shards ab/cd (nor AB, zz, abc).
    assertThat(ShardedLayout.nameOf(Path.of(relative))).isNull();
  }

  @Test
  void aFileWithAnotherNamesShardsIsNotAnObject() {
    String a = ShardedLayout.relativePath("/a");
    String b = ShardedLayout.relativePath("/b");
    Path aInBsShards = Path.of(b).getParent().resolve(Path.of(a).getFileName());

    assertThat(ShardedLayout.nameOf(aInBsShards)).isNull();
  }

  @Test
  void anEncodedReservedOrInvalidNameIsNotAnObject() {
    String reserved = ".objmapper_index";
    String invalid = "a//b";

    assertThat(ShardedLayout.nameOf(placed("/" + reserved, reserved))).isNull();
    assertThat(ShardedLayout.nameOf(placed("/" + invalid, invalid))).isNull();
  }

  /** {@code unprefixed} encoded as a file name, in the shards of {@code name}. */
  private static Path placed(String name, String unprefixed) {
    String encoded = Base64.getUrlEncoder().withoutPadding()
        .encodeToString(unprefixed.getBytes(StandardCharsets.UTF_8));
    return Path.of(expectedShards(name)).resolve(encoded);
  }

  private static String expectedShards(String name) {
    try {
      byte[] hash = java.security.MessageDigest.getInstance("SHA-256")
          .digest(name.getBytes(StandardCharsets.UTF_8));
      return String.format("%02x/%02x", hash[0] & 0xff, hash[1] & 0xff);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}
