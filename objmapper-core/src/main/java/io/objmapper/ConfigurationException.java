package io.objmapper;

import java.util.Optional;

/**
 * A configuration that cannot be used: a missing or unreadable file, invalid JSON, an
 * unknown key, a value of the wrong type or out of range, two values that contradict each
 * other. Thrown by {@link ObjMapper#open(java.nio.file.Path)} and
 * {@link ObjMapper.Builder#configFile(java.nio.file.Path)}.
 *
 * <p>It is an {@link IllegalArgumentException} (a bad configuration is a bad argument, and a
 * caller can only report it), not an {@link ObjMapperException}: it never ends a request, so
 * it has no wire status. The message is meant for the person who wrote the file and names
 * the offending key by its JSON path, the file, and the key's line and column:
 *
 * <pre>
 * backends[1].flags[2]: unknown flag "fast"; known: ephemeral, persistent, ... (/etc/objmapper.conf, line 30, column 21)
 * index.max_open_fds: must be &gt; 0, was -5 (/etc/objmapper.conf, line 17, column 9)
 * : no such file (/etc/objmapper.conf)
 * </pre>
 *
 * <p>The same parts are available one by one: {@link #path()}, {@link #reason()},
 * {@link #source()}, {@link #line()}, {@link #column()}.
 */
public class ConfigurationException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String path;
  private final String reason;
  private final String source;
  private final int line;
  private final int column;

  /**
   * @param path the offending key's JSON path ({@code backends[1].flags[2]}); "" for the
   *     document (or file) as a whole
   * @param reason what is wrong, naming the key
   * @param source the file (or other named source) the configuration came from, or null
   * @param line 1-based line of the key in the source, 0 if unknown
   * @param column 1-based column of the key in the source, 0 if unknown
   * @param cause the low-level cause (I/O or JSON parser error), or null
   */
  public ConfigurationException(String path, String reason, String source, int line, int column,
      Throwable cause) {
    super(message(reason, source, line, column), cause);
    this.path = path == null ? "" : path;
    this.reason = reason;
    this.source = source;
    this.line = Math.max(0, line);
    this.column = Math.max(0, column);
  }

  /** The JSON path of the offending key, like {@code backends[1].flags[2]}; "" for the document. */
  public String path() {
    return path;
  }

  /** The message without the source and location: what is wrong, naming the key. */
  public String reason() {
    return reason;
  }

  /** The file (or other named source) the configuration came from, if known. */
  public Optional<String> source() {
    return Optional.ofNullable(source);
  }

  /** 1-based line of the offending key, or 0 if unknown (no text, or a file that could not be read). */
  public int line() {
    return line;
  }

  /** 1-based column of the offending key, or 0 if unknown. */
  public int column() {
    return column;
  }

  /** {@code reason (source, line L, column C)}, leaving out the parts that are unknown. */
  static String message(String reason, String source, int line, int column) {
    if (line > 0) {
      String where = "line " + line + ", column " + column;
      return reason + " (" + (source == null ? where : source + ", " + where) + ")";
    }
    return source == null ? reason : reason + " (" + source + ")";
  }
}
