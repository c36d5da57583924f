package io.objmapper.internal.config;

import java.util.Optional;

/**
 * A configuration that cannot be used, with the JSON path of the offending key and, when
 * it came from a file, where in the file that key is.
 *
 * <p>Every configuration problem surfaces as this one exception: unreadable file, JSON
 * syntax error, unknown key, wrong type, value out of range, two values that contradict
 * each other. It is unchecked (an {@link IllegalArgumentException}): a bad configuration is
 * a bad argument to {@code ObjMapperConfig.load}/{@code parse} or to a record constructor,
 * and a caller can do nothing but report it. The message is meant for the person who wrote
 * the file:
 *
 * <pre>
 * backends[1].flags[2]: unknown flag "fast"; known: ephemeral, persistent, ... (line 30, column 21)
 * index.max_open_fds: must be &gt; 0, was -5 (/etc/objmapper.conf, line 17, column 9)
 * lifecycle.cold_threshold (0.8) must be &lt; lifecycle.hot_threshold (0.7) (line 52, column 9)
 * </pre>
 *
 * <p>Paths use dots between keys and {@code [i]} for array elements. Line and column are
 * 1-based and point at the key (or array element) when it is present in the text; a
 * problem with a key that was left out points at the enclosing object.
 */
// Public only for ObjMapper.Builder (another package), which turns it into the API's
// ConfigurationException; no other module uses it.
public final class ConfigException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String path;
  private final String detail;
  private final String relation;
  private final String otherPath;
  private final String value;
  private final String otherValue;
  private final String source;
  private final int line;
  private final int column;

  private ConfigException(String path, String detail, String value, String relation,
      String otherPath, String otherValue, String source, int line, int column, Throwable cause) {
    super(message(reason(path, detail, value, relation, otherPath, otherValue), source, line,
        column), cause);
    this.path = path;
    this.detail = detail;
    this.value = value;
    this.relation = relation;
    this.otherPath = otherPath;
    this.otherValue = otherValue;
    this.source = source;
    this.line = line;
    this.column = column;
  }

  /**
   * The value at {@code path} is unusable: the message reads {@code path: detail}.
   *
   * @param path the key's JSON path, relative to the object being checked; {@code ""} for
   *     the document as a whole
   */
  static ConfigException invalid(String path, String detail) {
    return invalid(path, detail, null);
  }

  /** Like {@link #invalid(String, String)}, keeping the low-level cause. */
  static ConfigException invalid(String path, String detail, Throwable cause) {
    return new ConfigException(path, detail, null, null, null, null, null, 0, 0, cause);
  }

  /**
   * Two values contradict each other: the message reads
   * {@code path (value) relation otherPath (otherValue)}, for example
   * {@code cold_threshold (0.8) must be < hot_threshold (0.7)}.
   */
  static ConfigException relation(String path, Object value, String relation,
      String otherPath, Object otherValue) {
    return new ConfigException(path, null, String.valueOf(value), relation, otherPath,
        String.valueOf(otherValue), null, 0, 0, null);
  }

  /** The JSON path of the offending key, like {@code backends[1].flags[2]}; "" for the document. */
  public String path() {
    return path;
  }

  /** The message without the source and location: what is wrong, naming the key. */
  public String reason() {
    return reason(path, detail, value, relation, otherPath, otherValue);
  }

  /** The file (or other named source) the configuration came from, if known. */
  public Optional<String> source() {
    return Optional.ofNullable(source);
  }

  /** 1-based line of the offending key, or 0 if unknown. */
  public int line() {
    return line;
  }

  /** 1-based column of the offending key, or 0 if unknown. */
  public int column() {
    return column;
  }

  /**
   * This problem as the API's public type, with the same message, parts and stack trace
   * ({@link io.objmapper.ObjMapper} throws that one, never this internal type).
   */
  public io.objmapper.ConfigurationException toPublic() {
    io.objmapper.ConfigurationException e = new io.objmapper.ConfigurationException(path, reason(),
        source, line, column, getCause());
    e.setStackTrace(getStackTrace());
    return e;
  }

  /**
   * The same problem seen from the enclosing object: {@code prefix} is put in front of every
   * path the message names ({@code flags[2]} under {@code backends[1]} becomes
   * {@code backends[1].flags[2]}).
   */
  ConfigException under(String prefix) {
    return copy(join(prefix, path), detail, otherPath == null ? null : join(prefix, otherPath),
        source, line, column);
  }

  /** The same problem at a known line and column. */
  ConfigException at(int line, int column) {
    return copy(path, detail, otherPath, source, line, column);
  }

  /** The same problem, naming the file it was found in. */
  ConfigException in(String source) {
    return copy(path, detail, otherPath, source, line, column);
  }

  private ConfigException copy(String path, String detail, String otherPath, String source,
      int line, int column) {
    ConfigException e = new ConfigException(path, detail, value, relation, otherPath, otherValue,
        source, line, column, getCause());
    e.setStackTrace(getStackTrace());
    return e;
  }

  static String join(String prefix, String path) {
    if (prefix.isEmpty()) {
      return path;
    }
    if (path.isEmpty()) {
      return prefix;
    }
    return path.charAt(0) == '[' ? prefix + path : prefix + '.' + path;
  }

  private static String reason(String path, String detail, String value, String relation,
      String otherPath, String otherValue) {
    if (relation != null) {
      return path + " (" + value + ") " + relation + " " + otherPath + " (" + otherValue + ")";
    }
    return path.isEmpty() ? detail : path + ": " + detail;
  }

  private static String message(String reason, String source, int line, int column) {
    if (line > 0) {
      String where = "line " + line + ", column " + column;
      return reason + " (" + (source == null ? where : source + ", " + where) + ")";
    }
    return source == null ? reason : reason + " (" + source + ")";
  }
}
