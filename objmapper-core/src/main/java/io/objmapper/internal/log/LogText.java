package io.objmapper.internal.log;

/**
 * Text for log lines, cut to a bounded length: object names come from clients (up to the
 * protocol's limit, kilobytes) and error messages of file operations repeat the whole path. A
 * cut text keeps its start and end and says how long it was:
 * {@code /photos/aaaa…[4100 chars]…aaa.jpg}.
 */
public final class LogText {
  /** Longest name (in chars) logged whole. */
  public static final int MAX_NAME_CHARS = 160;
  /** Longest error text (in chars) logged whole. */
  public static final int MAX_ERROR_CHARS = 240;
  private static final int TAIL_CHARS = 24;

  private LogText() {}

  /** {@code name} if at most {@value #MAX_NAME_CHARS} chars, else its start and end; "null" for null. */
  public static String name(CharSequence name) {
    return cut(name, MAX_NAME_CHARS);
  }

  /**
   * The exception's class and message ({@link Throwable#toString()}), cut to
   * {@value #MAX_ERROR_CHARS} chars: for a file error the message holds the path.
   */
  public static String error(Throwable e) {
    return e == null ? "null" : cut(e.toString(), MAX_ERROR_CHARS);
  }

  /** {@code ""}, or {@code " (N similar suppressed)"} for a count from {@link WarnLimiter#acquire}. */
  public static String suppressed(long count) {
    return count <= 0 ? "" : " (" + count + " similar suppressed)";
  }

  /** {@code text} if at most {@code max} chars, else its start and last chars around the length. */
  public static String cut(CharSequence text, int max) {
    if (text == null) {
      return "null";
    }
    int n = text.length();
    if (n <= max) {
      return text.toString();
    }
    String marker = "…[" + n + " chars]…";
    int tail = Math.min(TAIL_CHARS, Math.max(0, (max - marker.length()) / 2));
    int head = Math.max(0, max - marker.length() - tail);
    return new StringBuilder(max + 8).append(text, 0, head).append(marker).append(text, n - tail, n).toString();
  }
}
