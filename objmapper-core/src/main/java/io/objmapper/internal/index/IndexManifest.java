package io.objmapper.internal.index;

import io.objmapper.spi.dir.RegularFile;
import java.io.EOFException;
import java.io.IOException;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.Properties;
import java.util.zip.CRC32;

/**
 * The index file itself: a few lines naming the current map file and how it was created.
 *
 * <p>Map files are never renamed: Chronicle Map keeps using the path it created a file at (to
 * allocate overflow tiers) and caches mappings by path within a JVM. Each map therefore lives in
 * its own numbered file ({@code F.map.N}), and switching to a new one is a single atomic rename
 * of a new manifest over the old. The manifest also gives the configuration the map was created
 * with (after a growth not the configured one), the created length, below which the map file is
 * known to be truncated, and the length and CRC-32 of the map's self-describing header. Chronicle
 * Map never writes that header after creation (not when adding overflow tiers), and it waits a
 * full minute for a header it cannot read before giving up, so open checks it first; the whole
 * file is then checked against the {@link CleanMarker}.
 *
 * <pre>
 * format=1
 * chronicleVersion=2026.1
 * generation=3
 * mapFile=tier.idx.map.3
 * entries=1500000
 * averageKeySize=60.0
 * createdLength=166018048
 * headerLength=1636
 * headerCrc=0e8277eb
 * </pre>
 */
final class IndexManifest {
  /** Bumped whenever the stored layout (key or {@link IndexEntryMarshaller}) changes. */
  static final int FORMAT = 1;

  final int format;
  final String chronicleVersion;
  final long generation;
  /** File name of the map, in the manifest's directory. */
  final String mapFile;
  final long entries;
  final double averageKeySize;
  final long createdLength;
  /** Bytes from the start of the map file covered by {@link #headerCrc}. */
  final int headerLength;
  final long headerCrc;

  /** Where Chronicle Map keeps the size of its self-describing header (little-endian int). */
  private static final int SIZE_WORD_OFFSET = 8;
  /** Where that header starts; the bytes before it are its checksum and the size word. */
  private static final int HEADER_OFFSET = 12;
  private static final int SIZE_MASK = 0x3FFF_FFFF;
  private static final int MAX_HEADER_LENGTH = 1 << 20;

  IndexManifest(int format, String chronicleVersion, long generation, String mapFile, long entries,
      double averageKeySize, long createdLength, int headerLength, long headerCrc) {
    this.format = format;
    this.chronicleVersion = Objects.requireNonNull(chronicleVersion);
    this.generation = generation;
    this.mapFile = Objects.requireNonNull(mapFile);
    this.entries = entries;
    this.averageKeySize = averageKeySize;
    this.createdLength = createdLength;
    this.headerLength = headerLength;
    this.headerCrc = headerCrc;
  }

  /** Describes the freshly created map file {@code mapFile} of generation {@code generation}. */
  static IndexManifest describe(Path mapFile, long generation, long entries, double averageKeySize)
      throws IOException {
    try (FileChannel ch = RegularFile.open(mapFile, RegularFile.OWN_MODE, StandardOpenOption.READ)) {
      ByteBuffer word = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
      readFully(ch, word, SIZE_WORD_OFFSET);
      int size = word.getInt(0);
      if (size <= 0 || (size & SIZE_MASK) > MAX_HEADER_LENGTH) {
        throw new IOException("new map file " + mapFile + " has no complete header (size word " + size + ")");
      }
      int headerLength = HEADER_OFFSET + (size & SIZE_MASK);
      return new IndexManifest(FORMAT, ChronicleMaps.libraryVersion(), generation,
          mapFile.getFileName().toString(), entries, averageKeySize, ch.size(), headerLength,
          crc(ch, headerLength));
    }
  }

  /**
   * Why {@code mapFile} cannot be this manifest's map (missing, truncated, header changed), or
   * null if it looks intact. Reads only the header.
   */
  String problemWith(Path mapFile) throws IOException {
    if (!Files.exists(mapFile, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return "map file " + mapFile.getFileName() + " is missing";
    }
    try (FileChannel ch = RegularFile.open(mapFile, RegularFile.OWN_MODE, StandardOpenOption.READ)) {
      long length = ch.size();
      if (length < createdLength) {
        return "map file truncated to " + length + " bytes, created with " + createdLength;
      }
      if (crc(ch, headerLength) != headerCrc) {
        return "map file header damaged (CRC-32 differs from the one recorded at creation)";
      }
      return null;
    } catch (java.nio.file.NoSuchFileException | RegularFile.NotRegularFileException e) { // gone, or not a file
      return "map file " + mapFile.getFileName() + ": " + (e.getReason() != null ? e.getReason() : e.toString());
    }
  }

  private static long crc(FileChannel ch, int length) throws IOException {
    ByteBuffer header = ByteBuffer.allocate(length);
    readFully(ch, header, 0);
    CRC32 crc = new CRC32();
    crc.update(header.flip());
    return crc.getValue();
  }

  private static void readFully(FileChannel ch, ByteBuffer into, long position) throws IOException {
    while (into.hasRemaining()) {
      if (ch.read(into, position + into.position()) < 0) {
        throw new EOFException("map file shorter than its header");
      }
    }
  }

  /**
   * Reads a manifest.
   *
   * @throws IOException if it cannot be read or does not parse
   */
  static IndexManifest read(Path file) throws IOException {
    Properties p = new Properties();
    try {
      p.load(smallText(file));
    } catch (IllegalArgumentException e) {
      throw new IOException("unreadable manifest " + file + ": " + e.getMessage(), e);
    }
    try {
      String mapFile = require(p, "mapFile");
      if (mapFile.isEmpty() || mapFile.contains("/") || mapFile.contains("\\")) {
        throw new IOException("manifest " + file + " names no map file in its directory: " + mapFile);
      }
      return new IndexManifest(Integer.parseInt(require(p, "format")), p.getProperty("chronicleVersion", ""),
          Long.parseLong(require(p, "generation")), mapFile, Long.parseLong(require(p, "entries")),
          Double.parseDouble(require(p, "averageKeySize")), Long.parseLong(require(p, "createdLength")),
          Integer.parseInt(require(p, "headerLength")), Long.parseLong(require(p, "headerCrc"), 16));
    } catch (NumberFormatException e) {
      throw new IOException("unreadable manifest " + file + ": " + e.getMessage(), e);
    }
  }

  /** The longest manifest or clean marker read: a few hundred bytes are written. */
  static final int MAX_TEXT_BYTES = 64 * 1024;

  /**
   * The text of a small file the index wrote itself (UTF-8), for {@link Properties#load}.
   *
   * @throws IOException if it is longer than {@value #MAX_TEXT_BYTES} bytes (not one the index
   *     wrote), or not a regular file
   */
  static Reader smallText(Path file) throws IOException {
    return new java.io.StringReader(new String(RegularFile.readAll(file, MAX_TEXT_BYTES), StandardCharsets.UTF_8));
  }

  private static String require(Properties p, String key) throws IOException {
    String v = p.getProperty(key);
    if (v == null) {
      throw new IOException("manifest lacks " + key);
    }
    return v.trim();
  }

  /** The map file, next to {@code manifestFile}. */
  Path mapPath(Path manifestFile) {
    return manifestFile.resolveSibling(mapFile);
  }

  /**
   * Writes to {@code tmp}, forces it to disk, then renames it over {@code manifestFile}
   * atomically: from that moment the map it names is the index.
   */
  void install(Path manifestFile, Path tmp) throws IOException {
    String text = "# objmapper tier index: the current map file and how it was created\n"
        + "format=" + format + '\n'
        + "chronicleVersion=" + chronicleVersion + '\n'
        + "generation=" + generation + '\n'
        + "mapFile=" + mapFile + '\n'
        + "entries=" + entries + '\n'
        + "averageKeySize=" + averageKeySize + '\n'
        + "createdLength=" + createdLength + '\n'
        + "headerLength=" + headerLength + '\n'
        + "headerCrc=" + String.format("%08x", headerCrc) + '\n';
    try (FileChannel ch = RegularFile.createAnew(tmp, RegularFile.OWN_MODE)) {
      ch.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
      ch.force(true);
    }
    Files.move(tmp, manifestFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  @Override
  public String toString() {
    return "IndexManifest{generation=" + generation + ", mapFile=" + mapFile + ", entries=" + entries
        + ", averageKeySize=" + averageKeySize + ", createdLength=" + createdLength + ", headerLength="
        + headerLength + ", headerCrc=" + String.format("%08x", headerCrc) + ", format=" + format
        + ", chronicleVersion=" + chronicleVersion + '}';
  }
}
