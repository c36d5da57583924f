package io.objmapper.internal.index;

import io.objmapper.spi.dir.RegularFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Properties;
import java.util.zip.CRC32C;

/**
 * The clean-shutdown marker {@code F.clean}: written by a clean close once the map is unmapped
 * and on disk, deleted by open. It names the map file and records its length and the CRC-32C of
 * all its bytes, read as a plain file. A map file is handed to Chronicle Map only if the marker
 * exists and matches it: Chronicle Map trusts the offsets and sizes it finds in the file and can
 * crash the JVM on damaged ones, so no byte it reads may differ from what it wrote before a
 * clean close. Checking costs one sequential read of the file (CRC-32C runs at several GB/s).
 *
 * <pre>
 * mapFile=tier.idx.map.3
 * length=6270976
 * crc32c=1c2b3d4e
 * </pre>
 */
final class CleanMarker {
  private static final int BUFFER_BYTES = 1 << 20;

  private CleanMarker() {}

  /** Writes the marker for the closed {@code mapFile}, forced to disk (the map first). */
  static void write(Path marker, Path mapFile) throws IOException {
    long length;
    long crc;
    try (FileChannel ch = RegularFile.open(mapFile, RegularFile.OWN_MODE, StandardOpenOption.READ)) {
      ch.force(true); // pages written through the mapping reach the disk before the marker does
      length = ch.size();
      crc = crc(ch);
    }
    String text = "# objmapper tier index closed cleanly: the map file as it was then\n"
        + "mapFile=" + mapFile.getFileName() + '\n'
        + "length=" + length + '\n'
        + "crc32c=" + Long.toHexString(crc) + '\n';
    try (FileChannel ch = RegularFile.createAnew(marker, RegularFile.OWN_MODE)) {
      ch.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
      ch.force(true);
    }
  }

  /**
   * Why {@code mapFile} may not be opened as it is: no marker (the last run did not stop
   * cleanly), a marker for another file, or bytes that changed since; null if it matches.
   */
  static String problem(Path marker, Path mapFile) throws IOException {
    Properties p = new Properties();
    try {
      p.load(IndexManifest.smallText(marker));
    } catch (NoSuchFileException e) {
      return "not closed cleanly (no " + marker.getFileName() + ")";
    } catch (IllegalArgumentException | IOException e) {
      return "unreadable " + marker.getFileName() + ": " + e.getMessage();
    }
    String name = p.getProperty("mapFile", "");
    if (!name.equals(mapFile.getFileName().toString())) {
      return marker.getFileName() + " is for map file \"" + name + "\", not " + mapFile.getFileName();
    }
    long length;
    long crc;
    try {
      length = Long.parseLong(p.getProperty("length", "").trim());
      crc = Long.parseLong(p.getProperty("crc32c", "").trim(), 16);
    } catch (NumberFormatException e) {
      return "unreadable " + marker.getFileName() + ": " + e.getMessage();
    }
    try (FileChannel ch = RegularFile.open(mapFile, RegularFile.OWN_MODE, StandardOpenOption.READ)) {
      if (ch.size() != length) {
        return "map file is " + ch.size() + " bytes, " + length + " at the clean close";
      }
      if (crc(ch) != crc) {
        return "map file changed since the clean close (CRC-32C differs)";
      }
    } catch (NoSuchFileException | RegularFile.NotRegularFileException e) { // missing, or not a regular file
      return "map file " + mapFile.getFileName() + ": " + (e.getReason() != null ? e.getReason() : e.toString());
    }
    return null;
  }

  private static long crc(FileChannel ch) throws IOException {
    CRC32C crc = new CRC32C();
    ByteBuffer buf = ByteBuffer.allocateDirect(BUFFER_BYTES);
    long position = 0;
    for (int n; (n = ch.read(buf, position)) > 0; position += n) {
      crc.update(buf.flip());
      buf.clear();
    }
    return crc.getValue();
  }
}
