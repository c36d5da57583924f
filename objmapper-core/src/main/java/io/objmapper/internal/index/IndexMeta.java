package io.objmapper.internal.index;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.Properties;

/**
 * How a map file was created, kept in a small sibling file ({@code <index>.meta}).
 *
 * <p>Chronicle Map's recovery with {@code sameBuilderConfigAndLibraryVersion = true} rebuilds the
 * file header from the builder, so it is only safe with the exact configuration the file was
 * created with; after a growth that is no longer the configured one. The meta file records it,
 * together with the file's identity (device and inode, kept across a rename) so that a meta file
 * left over from another map file (a crash between the two renames of a growth) is recognised
 * and ignored. It also gives the declared capacity on reopen and the created length, below which
 * the file is known to be truncated.
 */
final class IndexMeta {
  /** Bumped whenever the stored layout (key or {@link IndexEntryMarshaller}) changes. */
  static final int FORMAT = 1;

  final int format;
  final String chronicleVersion;
  final long entries;
  final double averageKeySize;
  final String fileKey;
  final long createdLength;

  IndexMeta(int format, String chronicleVersion, long entries, double averageKeySize, String fileKey,
      long createdLength) {
    this.format = format;
    this.chronicleVersion = chronicleVersion;
    this.entries = entries;
    this.averageKeySize = averageKeySize;
    this.fileKey = fileKey;
    this.createdLength = createdLength;
  }

  /** Describes the freshly created map file {@code mapFile}. */
  static IndexMeta describe(Path mapFile, long entries, double averageKeySize) throws IOException {
    BasicFileAttributes attrs = Files.readAttributes(mapFile, BasicFileAttributes.class);
    return new IndexMeta(FORMAT, ChronicleMaps.libraryVersion(), entries, averageKeySize,
        attrs.fileKey() == null ? "" : attrs.fileKey().toString(), attrs.size());
  }

  /** The meta file's content, or null if it is missing or unreadable. */
  static IndexMeta readIfPresent(Path metaFile) {
    Properties p = new Properties();
    try (InputStream in = Files.newInputStream(metaFile)) {
      p.load(in);
      return new IndexMeta(Integer.parseInt(p.getProperty("format")), p.getProperty("chronicleVersion", ""),
          Long.parseLong(p.getProperty("entries")), Double.parseDouble(p.getProperty("averageKeySize")),
          p.getProperty("fileKey", ""), Long.parseLong(p.getProperty("createdLength")));
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException | RuntimeException e) {
      return null; // unreadable: treated like a missing one (recovery from the map's own header)
    }
  }

  /** True if this meta file was written for {@code mapFile} (same device and inode). */
  boolean describes(Path mapFile) {
    if (fileKey.isEmpty()) {
      return false;
    }
    try {
      Object key = Files.readAttributes(mapFile, BasicFileAttributes.class).fileKey();
      return key != null && fileKey.equals(key.toString());
    } catch (IOException e) {
      return false;
    }
  }

  /** True if recovery may rebuild the header from a builder configured from this meta. */
  boolean allowsSameConfigRecovery() {
    return format == FORMAT && Objects.equals(chronicleVersion, ChronicleMaps.libraryVersion());
  }

  /**
   * Writes to {@code tmp} and forces it to disk; the caller renames it into place
   * ({@code ATOMIC_MOVE}) at the moment the map file it describes becomes current.
   */
  void write(Path tmp) throws IOException {
    String text = "# objmapper tier index: how the sibling map file was created\n"
        + "format=" + format + '\n'
        + "chronicleVersion=" + chronicleVersion + '\n'
        + "entries=" + entries + '\n'
        + "averageKeySize=" + averageKeySize + '\n'
        + "fileKey=" + fileKey.replace("\\", "\\\\") + '\n'
        + "createdLength=" + createdLength + '\n';
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      ch.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.ISO_8859_1)));
      ch.force(true);
    }
  }

  @Override
  public String toString() {
    return "IndexMeta{format=" + format + ", chronicleVersion=" + chronicleVersion + ", entries=" + entries
        + ", averageKeySize=" + averageKeySize + ", fileKey=" + fileKey + ", createdLength=" + createdLength + '}';
  }
}
