package io.objmapper.spi;

import java.nio.file.Path;

/**
 * The one definition of a valid object name, shared by the server, the engine and every tier.
 *
 * <p>A name looks like an absolute path ({@code /photos/2024/cat.jpg}) but is never used as
 * one: it must start with {@code /}, its segments are non-empty and are neither {@code .}
 * nor {@code ..}, and it holds no NUL, backslash or other control character. Such a name
 * can be appended to a tier root without escaping it.
 */
public final class ObjectNames {
  /** Longest name in UTF-8 bytes (the wire protocol's URI limit). */
  public static final int MAX_NAME_BYTES = 4096;

  /**
   * Prefix of the file names a tier keeps for itself: temporary files of writes in progress,
   * persisted indexes ({@code .objmapper_index}). No stored object has a name segment starting
   * with it, and a tier's scan never reports such files; see {@link #validateStorable}.
   */
  public static final String RESERVED_PREFIX = ".objmapper";

  private ObjectNames() {}

  /**
   * Returns {@code name} if it is valid.
   *
   * @throws InvalidObjectNameException naming what is wrong with it
   */
  public static String validate(String name) {
    String reason = problem(name);
    if (reason != null) {
      throw new InvalidObjectNameException(name, reason);
    }
    return name;
  }

  /** True if {@link #validate} would accept {@code name}. Allocates nothing. */
  public static boolean isValid(String name) {
    return problem(name) == null;
  }

  /**
   * True if a segment of {@code name} starts with {@link #RESERVED_PREFIX}, as in
   * {@code /.objmapper_index} or {@code /a/.objmapper-tmp-1f}. Says nothing about validity.
   */
  public static boolean isReserved(String name) {
    return name != null && name.contains("/" + RESERVED_PREFIX);
  }

  /**
   * Returns {@code name} if it is valid and not {@linkplain #isReserved reserved}: what a tier
   * checks before it touches a file for {@code name}.
   *
   * @throws InvalidObjectNameException naming what is wrong with it
   */
  public static String validateStorable(String name) {
    validate(name);
    if (isReserved(name)) {
      throw new InvalidObjectNameException(name, "has a segment starting with '" + RESERVED_PREFIX
          + "' (reserved for the tier's own files)");
    }
    return name;
  }

  /**
   * Resolves a valid name below {@code root}: {@code /a/b} becomes {@code root/a/b}.
   *
   * @throws InvalidObjectNameException if the name is not valid
   */
  public static Path resolve(Path root, String name) {
    validate(name);
    Path p = root.resolve(name.substring(1));
    // Defence in depth: validation already excludes every way out of root.
    if (!p.normalize().startsWith(root.normalize())) {
      throw new InvalidObjectNameException(name, "resolves outside the tier root");
    }
    return p;
  }

  /**
   * False if {@code file}, as a directory walk met it, has a name whose bytes the platform's
   * file name encoding cannot decode: Java shows each such byte as U+FFFD, and the name made
   * of that text leads to another file or none, so no object name can reach the file (a scan
   * that listed it would list an object no request can open, or another file's). {@code attrs}
   * are the walk's attributes of {@code file}: the name's text must lead back to the same file
   * (file key). Costs a {@code stat} only for a name that holds U+FFFD; false also where the
   * text cannot be made a path again (a file name encoding that cannot write it back).
   */
  public static boolean isDecodable(Path file, java.nio.file.attribute.BasicFileAttributes attrs) {
    String text = file.toString();
    if (text.indexOf('\uFFFD') < 0) {
      return true;
    }
    try {
      Object again = java.nio.file.Files.readAttributes(file.getFileSystem().getPath(text),
          java.nio.file.attribute.BasicFileAttributes.class, java.nio.file.LinkOption.NOFOLLOW_LINKS).fileKey();
      return again != null && again.equals(attrs.fileKey());
    } catch (java.nio.file.InvalidPathException | java.io.IOException e) {
      return false;
    }
  }

  /** The name of the file {@code file} below {@code root}: the inverse of {@link #resolve}. */
  public static String nameOf(Path root, Path file) {
    Path rel = root.relativize(file);
    StringBuilder sb = new StringBuilder();
    for (Path part : rel) {
      sb.append('/').append(part);
    }
    return sb.toString();
  }

  private static String problem(String name) {
    if (name == null || name.isEmpty()) {
      return "empty";
    }
    if (name.charAt(0) != '/') {
      return "must start with '/'";
    }
    int len = name.length();
    if (len == 1) {
      return "names no object";
    }
    if (len > MAX_NAME_BYTES) {
      return "longer than " + MAX_NAME_BYTES + " bytes";
    }
    int utf8 = 0;
    int segStart = 1;
    for (int i = 1; i <= len; i++) {
      char c = i < len ? name.charAt(i) : '/';
      if (c == '/') {
        int segLen = i - segStart;
        if (segLen == 0) {
          return i == len ? "ends with '/'" : "has an empty segment ('//')";
        }
        if (segLen == 1 && name.charAt(segStart) == '.') {
          return "has a '.' segment";
        }
        if (segLen == 2 && name.charAt(segStart) == '.' && name.charAt(segStart + 1) == '.') {
          return "has a '..' segment";
        }
        segStart = i + 1;
      } else if (c == '\\') {
        return "has a backslash";
      } else if (c < 0x20 || c == 0x7f) {
        return c == 0 ? "has a NUL byte" : "has a control character";
      } else if (Character.isSurrogate(c)) {
        if (Character.isHighSurrogate(c) && i + 1 < len && Character.isLowSurrogate(name.charAt(i + 1))) {
          i++;
          utf8 += 4;
          continue;
        }
        return "has an unpaired surrogate (not valid UTF-8)";
      }
      if (i < len) {
        utf8 += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
      }
    }
    if (utf8 + 1 > MAX_NAME_BYTES) {
      return "longer than " + MAX_NAME_BYTES + " bytes";
    }
    return null;
  }
}
