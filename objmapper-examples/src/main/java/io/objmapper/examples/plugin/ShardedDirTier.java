package io.objmapper.examples.plugin;

import io.objmapper.spi.TierConfig;
import io.objmapper.spi.dir.DirectoryTier;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A local tier that keeps each object in a file at its {@link ShardedLayout} position below
 * the root, so no directory grows past a few hundred entries however many objects there are.
 * Everything else (atomic writes, the safe open, scans, counts, crash recovery) is {@link
 * DirectoryTier}'s.
 */
final class ShardedDirTier extends DirectoryTier {
  /** A tier on the existing directory {@code root} (a real path); {@link DirectoryTier#start} it. */
  ShardedDirTier(TierConfig config, Path root) throws IOException {
    super(config, root, ShardedLayout.INSTANCE, false);
  }
}
