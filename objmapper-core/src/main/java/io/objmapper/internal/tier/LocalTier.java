package io.objmapper.internal.tier;

import io.objmapper.spi.TierConfig;
import io.objmapper.spi.dir.DirectoryLayout;
import io.objmapper.spi.dir.DirectoryTier;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A tier whose objects are the regular files below a root directory: object {@code /a/b} is
 * file {@code root/a/b} ({@link DirectoryLayout#PLAIN}). The fs and memory providers both
 * open this class, with different defaults; writes, the safe open, scans, counts and crash
 * recovery are {@link DirectoryTier}'s.
 */
final class LocalTier extends DirectoryTier {
  private LocalTier(TierConfig config, Path root, boolean removeRootOnClose) throws IOException {
    super(config, root, DirectoryLayout.PLAIN, removeRootOnClose);
  }

  /**
   * Opens the tier on {@code config}'s root ({@link DirectoryTier#prepareRoot}) and adopts its
   * saved counts or scans it ({@link DirectoryTier#start}).
   *
   * @param createRoot create the root (and its parents) if it does not exist
   * @param removeRootOnClose the root was made for this tier alone: remove it with
   *     everything below it on {@link #close()}, and on a failed open
   */
  static LocalTier open(TierConfig config, boolean createRoot, boolean removeRootOnClose) throws IOException {
    return DirectoryTier.start(new LocalTier(config, prepareRoot(config, createRoot), removeRootOnClose));
  }
}
