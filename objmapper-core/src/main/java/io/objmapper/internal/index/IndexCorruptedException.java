package io.objmapper.internal.index;

import java.nio.file.Path;

/**
 * The map file turned out to be damaged while in use (an operation failed inside Chronicle Map
 * for a reason other than capacity). The caller should bypass the index for this lookup; on
 * {@link PersistentTierIndex#close()} the file is moved aside so that the next open starts empty
 * and asks for a full scan.
 */
public final class IndexCorruptedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  IndexCorruptedException(Path file, Throwable cause) {
    super("tier index " + file + " is damaged: " + cause, cause);
  }
}
