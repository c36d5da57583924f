package io.objmapper.examples.plugin;

import io.objmapper.spi.ObjectNames;
import io.objmapper.spi.dir.DirectoryLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * Where a sharded tier keeps each object, and the way back from a file to its object name.
 *
 * <pre>
 * root/
 *   3f/                       first byte of SHA-256(name), in hex
 *     a2/                     second byte
 *       cGhvdG9zL2NhdC5qcGc   the name without its leading '/', UTF-8, base64url, no padding
 * </pre>
 *
 * <p>A file name holds at most {@value #MAX_FILE_NAME} bytes, so an encoded name longer than
 * that is cut into directories of {@value #CHUNK} characters, each marked by a trailing
 * {@value #CHUNK_MARK}, followed by a file holding the rest:
 * {@code root/3f/a2/<254 chars>~/<254 chars>~/<the rest>}. The mark is outside the base64url
 * alphabet, so a cut's directory and an object's file never want the same directory entry.
 *
 * <p>The layout is a pure function of the name: {@link #nameOf} accepts exactly the paths
 * {@link #relativePath} produces, so files placed by anyone else are never mistaken for
 * objects. No encoded segment can start with {@code '.'}, so objects never collide with the
 * tier's own {@link ObjectNames#RESERVED_PREFIX} files.
 */
final class ShardedLayout {
  /** The longest file name most file systems accept (NAME_MAX), in bytes. */
  static final int MAX_FILE_NAME = 255;

  /** Characters of the encoded name in each directory of a cut name. */
  static final int CHUNK = MAX_FILE_NAME - 1;

  /** The mark ending each directory of a cut name; outside the base64url alphabet. */
  static final char CHUNK_MARK = '~';

  /** Directory levels of hash shards below the root. */
  static final int SHARD_LEVELS = 2;

  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder DECODER = Base64.getUrlDecoder();
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  /** This layout, for {@link io.objmapper.spi.dir.DirectoryTier}. */
  static final DirectoryLayout INSTANCE = new DirectoryLayout() {
    @Override
    public String relativePath(String name) {
      return ShardedLayout.relativePath(name);
    }

    @Override
    public String nameOf(String relative) {
      return ShardedLayout.nameOf(Path.of(relative));
    }

    @Override
    public String toString() {
      return "sharded";
    }
  };

  private ShardedLayout() {}

  /**
   * The path below the root of the file that holds object {@code name}, which must be
   * {@linkplain ObjectNames#isValid valid}: {@code "3f/a2/cGhvdG9zL2NhdC5qcGc"}.
   */
  static String relativePath(String name) {
    byte[] utf8 = name.substring(1).getBytes(StandardCharsets.UTF_8);
    byte[] hash = sha256(name.getBytes(StandardCharsets.UTF_8));
    String encoded = ENCODER.encodeToString(utf8);
    StringBuilder sb = new StringBuilder(encoded.length() + 8 + encoded.length() / CHUNK * 2);
    for (int level = 0; level < SHARD_LEVELS; level++) {
      sb.append(HEX[(hash[level] >> 4) & 0xf]).append(HEX[hash[level] & 0xf]).append('/');
    }
    int at = 0;
    while (encoded.length() - at > MAX_FILE_NAME) {
      sb.append(encoded, at, at + CHUNK).append(CHUNK_MARK).append('/');
      at += CHUNK;
    }
    return sb.append(encoded, at, encoded.length()).toString();
  }

  /**
   * The object name whose file is {@code relative} (a path below the root), or {@code null} if
   * {@code relative} is not a path this layout produces for a valid, storable name.
   */
  static String nameOf(Path relative) {
    int n = relative.getNameCount();
    if (n <= SHARD_LEVELS) {
      return null;
    }
    for (int level = 0; level < SHARD_LEVELS; level++) {
      if (!isShard(relative.getName(level).toString())) {
        return null;
      }
    }
    StringBuilder encoded = new StringBuilder();
    for (int i = SHARD_LEVELS; i < n - 1; i++) {
      String chunk = relative.getName(i).toString();
      if (!isChunkDirectory(chunk)) {
        return null;
      }
      encoded.append(chunk, 0, CHUNK);
    }
    encoded.append(relative.getName(n - 1));
    String name;
    try {
      name = "/" + new String(DECODER.decode(encoded.toString()), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException notBase64) {
      return null;
    }
    if (!ObjectNames.isValid(name) || ObjectNames.isReserved(name)) {
      return null;
    }
    // Only the canonical spelling counts: right shards, right cuts, no stray bits.
    String canonical = relativePath(name);
    return canonical.equals(joined(relative)) ? name : null;
  }

  /** True if {@code segment} can be a shard directory: two lowercase hex digits. */
  static boolean isShard(String segment) {
    return segment.length() == 2 && isHex(segment.charAt(0)) && isHex(segment.charAt(1));
  }

  /** True if {@code segment} can be a directory of a cut name. */
  static boolean isChunkDirectory(String segment) {
    return segment.length() == CHUNK + 1 && segment.charAt(CHUNK) == CHUNK_MARK;
  }

  private static boolean isHex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  }

  private static String joined(Path relative) {
    StringBuilder sb = new StringBuilder();
    for (Path part : relative) {
      if (sb.length() > 0) {
        sb.append('/');
      }
      sb.append(part);
    }
    return sb.toString();
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }
}
