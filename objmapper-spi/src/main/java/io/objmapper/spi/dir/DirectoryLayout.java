package io.objmapper.spi.dir;

import io.objmapper.spi.ObjectNames;

/**
 * Where a {@link DirectoryTier} keeps each object below its root, and the way back: a pure
 * function of the name, so a scan can tell objects from files put there by anyone else.
 *
 * <p>Paths are relative, segments separated by {@code '/'}, none empty, {@code "."} or
 * {@code ".."}; no segment may start with {@link ObjectNames#RESERVED_PREFIX} (those are
 * the tier's own files).
 *
 * <pre>{@code
 * DirectoryLayout.PLAIN.relativePath("/photos/cat.jpg")   // "photos/cat.jpg"
 * DirectoryLayout.PLAIN.nameOf("photos/cat.jpg")          // "/photos/cat.jpg"
 * }</pre>
 */
public interface DirectoryLayout {
  /** Object {@code /a/b} is file {@code root/a/b}: names are paths. */
  DirectoryLayout PLAIN = new DirectoryLayout() {
    @Override
    public String relativePath(String name) {
      return name.substring(1);
    }

    @Override
    public String nameOf(String relative) {
      String name = "/" + relative;
      return ObjectNames.isValid(name) && !ObjectNames.isReserved(name) ? name : null;
    }

    @Override
    public String toString() {
      return "plain";
    }
  };

  /**
   * The path below the root of the file that holds object {@code name}, a {@linkplain
   * ObjectNames#validateStorable valid, storable} name.
   */
  String relativePath(String name);

  /**
   * The object whose file is {@code relative} (a path below the root of a regular file), or
   * {@code null} if this layout never puts an object there; then the scan skips the file.
   */
  String nameOf(String relative);
}
