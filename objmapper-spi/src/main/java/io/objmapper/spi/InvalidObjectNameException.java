package io.objmapper.spi;

/**
 * An object name that is not a valid objmapper name: empty, not starting with {@code /},
 * holding an empty, {@code .} or {@code ..} segment, a NUL, a backslash or a control
 * character, or longer than {@link ObjectNames#MAX_NAME_BYTES} UTF-8 bytes.
 *
 * <p>Names are object names, never file paths: a name that would resolve outside a tier's
 * root is always rejected with this exception before any file is touched.
 */
public final class InvalidObjectNameException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String name;

  public InvalidObjectNameException(String name, String reason) {
    super("invalid object name " + quote(name) + ": " + reason);
    this.name = name;
  }

  /** The rejected name, as given (may be {@code null}). */
  public String name() {
    return name;
  }

  private static String quote(String name) {
    if (name == null) {
      return "null";
    }
    StringBuilder sb = new StringBuilder(Math.min(name.length(), 80) + 2).append('"');
    for (int i = 0; i < name.length() && i < 80; i++) {
      char c = name.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        sb.append(String.format("\\x%02x", (int) c));
      } else {
        sb.append(c);
      }
    }
    if (name.length() > 80) {
      sb.append("...");
    }
    return sb.append('"').toString();
  }
}
