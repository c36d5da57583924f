package io.objmapper.protocol;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The body of a STAT ({@code '9'}) or LIST ({@code ':'}) answer: UTF-8 text, one line per
 * object, {@code name TAB size TAB tier_id TAB mtime_seconds TAB flags LF}, sorted by name
 * (object names hold no control character, so no TAB or LF). {@code flags} is the decimal
 * of the object's flag bits: EPHEMERAL 1, PINNED 2.
 *
 * <pre>{@code
 * /photos/cat.jpg\t52311\t1\t1764726000\t0\n
 * }</pre>
 */
public final class ListingLines {
  /** The most lines a LIST answers; a prefix with more objects is UNSUPPORTED_OP. */
  public static final int MAX_LINES = 100_000;
  /** Flag bit of an EPHEMERAL object. */
  public static final int EPHEMERAL = 0x01;
  /** Flag bit of a PINNED object. */
  public static final int PINNED = 0x02;

  private ListingLines() {}

  /** One object's line, LF included. */
  public static String line(String name, long size, int tierId, long mtimeSeconds, int flags) {
    return name + '\t' + size + '\t' + tierId + '\t' + mtimeSeconds + '\t' + flags + '\n';
  }

  /**
   * One object of a listing.
   *
   * @param flags EPHEMERAL 1, PINNED 2
   */
  public record Entry(String name, long size, int tierId, long mtimeSeconds, int flags) {}

  /**
   * The entries of a body.
   *
   * @throws ProtocolException PROTOCOL_ERROR if a line is not five fields or a number is not one
   */
  public static List<Entry> parse(byte[] body) throws ProtocolException {
    String text = new String(body, StandardCharsets.UTF_8);
    List<Entry> entries = new ArrayList<>();
    int start = 0;
    while (start < text.length()) {
      int end = text.indexOf('\n', start);
      if (end < 0) {
        throw new ProtocolException(Status.PROTOCOL_ERROR, "listing line without its LF at byte " + start);
      }
      String[] f = text.substring(start, end).split("\t", -1);
      if (f.length != 5) {
        throw new ProtocolException(Status.PROTOCOL_ERROR, "listing line of " + f.length + " fields, not 5");
      }
      try {
        entries.add(new Entry(f[0], Long.parseLong(f[1]), Integer.parseInt(f[2]), Long.parseLong(f[3]),
            Integer.parseInt(f[4])));
      } catch (NumberFormatException e) {
        throw new ProtocolException(Status.PROTOCOL_ERROR, "listing line with a bad number: " + e.getMessage());
      }
      start = end + 1;
    }
    return entries;
  }
}
