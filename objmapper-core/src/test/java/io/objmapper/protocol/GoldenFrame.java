package io.objmapper.protocol;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * One golden frame file of {@code src-test-data/protocol/} (its format is described in the
 * README there): the frame's bytes, the bytes that follow it on the wire, and its headers.
 *
 * @param name the file name without {@code .frame}
 * @param direction who sends the frame
 * @param version the protocol version of the connection (1 or 2)
 * @param message the message kind ({@code HELLO}, {@code REQUEST}, ...)
 * @param source where the bytes come from, or {@code null}
 * @param frame the bytes the decoder consumes
 * @param after the bytes that follow the frame on the wire and the decoder leaves unread
 */
record GoldenFrame(
    String name, Direction direction, int version, String message, String source, byte[] frame, byte[] after) {

  enum Direction {
    CLIENT_TO_SERVER("client->server"),
    SERVER_TO_CLIENT("server->client");

    final String text;

    Direction(String text) {
      this.text = text;
    }

    static Direction parse(String s) {
      for (Direction d : values()) {
        if (d.text.equals(s)) {
          return d;
        }
      }
      throw new IllegalArgumentException("direction is neither client->server nor server->client: " + s);
    }
  }

  static final String SUFFIX = ".frame";

  /** The directory of the golden frames, from the {@code objmapper.testdata} system property. */
  static Path directory() {
    String root = System.getProperty("objmapper.testdata");
    if (root == null || root.isEmpty()) {
      throw new IllegalStateException("system property objmapper.testdata is not set (surefire sets it)");
    }
    return Paths.get(root, "protocol");
  }

  /** Every {@code *.frame} file, sorted by name. */
  static List<GoldenFrame> loadAll() {
    try (Stream<Path> files = Files.list(directory())) {
      List<GoldenFrame> frames = new ArrayList<>();
      for (Path p : (Iterable<Path>) files.sorted()::iterator) {
        String file = p.getFileName().toString();
        if (file.endsWith(SUFFIX)) {
          frames.add(parse(file.substring(0, file.length() - SUFFIX.length()),
              Files.readString(p, StandardCharsets.UTF_8)));
        }
      }
      return frames;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static GoldenFrame load(String name) {
    try {
      return parse(name, Files.readString(directory().resolve(name + SUFFIX), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Parses the text of a frame file; throws {@link IllegalArgumentException} naming the line. */
  static GoldenFrame parse(String name, String text) {
    Direction direction = null;
    Integer version = null;
    String message = null;
    String source = null;
    boolean inAfter = false;
    ByteArrayOutputStream frame = new ByteArrayOutputStream();
    ByteArrayOutputStream after = new ByteArrayOutputStream();
    String[] lines = text.split("\n", -1);
    for (int n = 0; n < lines.length; n++) {
      String where = name + SUFFIX + ":" + (n + 1) + ": ";
      String line = stripComment(lines[n], where).strip();
      if (line.isEmpty()) {
        continue;
      }
      if (line.startsWith("@")) {
        int sp = line.indexOf(' ');
        String key = sp < 0 ? line : line.substring(0, sp);
        String value = sp < 0 ? "" : line.substring(sp + 1).strip();
        switch (key) {
          case "@direction":
            requireUnset(direction, key, where);
            direction = Direction.parse(value);
            break;
          case "@version":
            requireUnset(version, key, where);
            version = Integer.valueOf(value);
            if (version != 1 && version != 2) {
              throw new IllegalArgumentException(where + "version must be 1 or 2: " + value);
            }
            break;
          case "@message":
            requireUnset(message, key, where);
            message = value;
            break;
          case "@source":
            requireUnset(source, key, where);
            source = value;
            break;
          case "@after-frame":
            if (inAfter) {
              throw new IllegalArgumentException(where + "@after-frame given twice");
            }
            inAfter = true;
            break;
          default:
            throw new IllegalArgumentException(where + "unknown header " + key);
        }
        continue;
      }
      parseBytes(line, inAfter ? after : frame, where);
    }
    if (direction == null || version == null || message == null) {
      throw new IllegalArgumentException(name + SUFFIX + ": @direction, @version and @message are required");
    }
    if (frame.size() == 0) {
      throw new IllegalArgumentException(name + SUFFIX + ": no frame bytes");
    }
    return new GoldenFrame(name, direction, version, message, source, frame.toByteArray(), after.toByteArray());
  }

  /** The frame followed by the bytes after it: what the wire carries. */
  byte[] wire() {
    byte[] w = new byte[frame.length + after.length];
    System.arraycopy(frame, 0, w, 0, frame.length);
    System.arraycopy(after, 0, w, frame.length, after.length);
    return w;
  }

  @Override
  public String toString() {
    return name;
  }

  private static void requireUnset(Object value, String key, String where) {
    if (value != null) {
      throw new IllegalArgumentException(where + key + " given twice");
    }
  }

  private static String stripComment(String line, String where) {
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == '"') {
        quoted = !quoted;
      } else if (c == '#' && !quoted) {
        return line.substring(0, i);
      }
    }
    if (quoted) {
      throw new IllegalArgumentException(where + "unterminated string");
    }
    return line;
  }

  private static void parseBytes(String line, ByteArrayOutputStream out, String where) {
    int i = 0;
    while (i < line.length()) {
      char c = line.charAt(i);
      if (c == ' ' || c == '\t') {
        i++;
        continue;
      }
      if (c == '"') {
        int end = line.indexOf('"', i + 1);
        for (int k = i + 1; k < end; k++) {
          char s = line.charAt(k);
          if (s < 0x20 || s > 0x7e || s == '\\') {
            throw new IllegalArgumentException(where + "only printable ASCII without \\ in a string");
          }
          out.write(s);
        }
        i = end + 1;
        continue;
      }
      int end = i;
      while (end < line.length() && line.charAt(end) != ' ' && line.charAt(end) != '\t') {
        end++;
      }
      String token = line.substring(i, end);
      int star = token.indexOf('*');
      String hex = star < 0 ? token : token.substring(0, star);
      if (!hex.matches("[0-9a-fA-F]{2}")) {
        throw new IllegalArgumentException(where + "not a hex byte: " + token);
      }
      int b = Integer.parseInt(hex, 16);
      int count = 1;
      if (star >= 0) {
        String rep = token.substring(star + 1);
        if (!rep.matches("[1-9][0-9]*")) {
          throw new IllegalArgumentException(where + "not a repeat count: " + token);
        }
        count = Integer.parseInt(rep);
      }
      for (int k = 0; k < count; k++) {
        out.write(b);
      }
      i = end;
    }
  }
}
