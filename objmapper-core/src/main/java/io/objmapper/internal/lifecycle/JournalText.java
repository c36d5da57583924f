package io.objmapper.internal.lifecycle;

import io.objmapper.spi.dir.RegularFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The form the store's line journals share (the migration journal, the journal of staged
 * copies): a header line {@code MAGIC<TAB>tier<TAB>tier...} naming the tiers by position, then
 * one record per line. Only whole lines count (a line a crash cut short was never synced), and
 * a file's zero-filled room after its lines is no line. Records name tiers by their position
 * in the header, so a journal stays readable after tiers are added, removed or reordered.
 */
public final class JournalText {
  private final List<String> records;
  private final int[] tierIdOf;

  private JournalText(List<String> records, int[] tierIdOf) {
    this.records = records;
    this.tierIdOf = tierIdOf;
  }

  /** The header line (without its newline) for a store with tiers {@code tierNames}. */
  public static String header(String magic, List<String> tierNames) {
    StringBuilder h = new StringBuilder(magic);
    for (String n : tierNames) {
      h.append('\t').append(sanitize(n));
    }
    return h.toString();
  }

  /**
   * The longest journal read: one holds a line for each move or staged copy in flight (its
   * writers rewrite it once done), far below this.
   */
  public static final int MAX_BYTES = 256 << 20;

  /**
   * Reads {@code file}: its whole record lines, and for each tier position of its header the
   * tier id it has now among {@code tierNames}. No file, or no whole line: no records.
   *
   * @throws IOException if it cannot be read, or does not start with {@code magic} (the
   *     message says it is not {@code what})
   */
  public static JournalText read(Path file, String magic, String what, List<String> tierNames) throws IOException {
    String text;
    try {
      text = new String(RegularFile.readAll(file, MAX_BYTES), StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return new JournalText(List.of(), new int[0]);
    }
    int zero = text.indexOf('\0');
    if (zero >= 0) {
      text = text.substring(0, zero); // the zero-filled room after the lines
    }
    List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
    lines.remove(lines.size() - 1); // a line a crash cut short counts as never written
    if (lines.isEmpty()) {
      return new JournalText(List.of(), new int[0]);
    }
    String[] head = lines.get(0).split("\t", -1);
    if (!head[0].equals(magic)) {
      throw new IOException(file + " is not " + what + " (it starts with \"" + head[0] + "\")");
    }
    Map<String, Integer> now = new HashMap<>();
    for (int i = 0; i < tierNames.size(); i++) {
      now.put(sanitize(tierNames.get(i)), i);
    }
    int[] idOf = new int[head.length - 1];
    for (int i = 1; i < head.length; i++) {
      idOf[i - 1] = now.getOrDefault(head[i], -1);
    }
    return new JournalText(lines.subList(1, lines.size()), idOf);
  }

  /** The record lines, oldest first. */
  public List<String> records() {
    return records;
  }

  /** The tier id now of the header's position {@code p}, or -1 if that tier is gone (or no such position). */
  public int tierId(int p) {
    return p >= 0 && p < tierIdOf.length ? tierIdOf[p] : -1;
  }

  /** {@code s} with control characters replaced by {@code ?}: it cannot break a line or a field. */
  public static String sanitize(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      b.append(c < 0x20 || c == 0x7f ? '?' : c);
    }
    return b.toString();
  }
}
