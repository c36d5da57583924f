package io.objmapper.testing;

import io.objmapper.spi.Tier;
import io.objmapper.spi.TierConfig;
import io.objmapper.spi.TierFlag;
import io.objmapper.spi.TierProvider;
import io.objmapper.spi.dir.DirectoryLayout;
import io.objmapper.spi.dir.DirectoryTier;
import java.io.IOException;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;

/**
 * A plain directory tier (as {@code fs}) whose layout counts the files its scans visit: every
 * walk of the tree visits each object file once, so a tier holding N objects was walked
 * {@code visits / N} times.
 */
public final class CountingTier extends DirectoryTier {
  /** The type its {@link #provider} serves. */
  public static final String TYPE = "counting";

  private CountingTier(TierConfig config, Path root, LongAdder visits) throws IOException {
    super(config, root, new DirectoryLayout() {
      @Override
      public String relativePath(String name) {
        return DirectoryLayout.PLAIN.relativePath(name);
      }

      @Override
      public String nameOf(String relative) {
        visits.increment();
        return DirectoryLayout.PLAIN.nameOf(relative);
      }
    }, false);
  }

  /** Opens a counting tier on {@code config}'s root (created if missing), persistent unless ephemeral. */
  public static CountingTier open(TierConfig config, LongAdder visits) throws IOException {
    TierConfig effective = config;
    if (!config.has(TierFlag.EPHEMERAL) && !config.has(TierFlag.PERSISTENT)) {
      Set<TierFlag> flags = EnumSet.of(TierFlag.PERSISTENT);
      flags.addAll(config.flags());
      effective = config.withFlags(flags);
    }
    return DirectoryTier.start(new CountingTier(effective, DirectoryTier.prepareRoot(config, true), visits));
  }

  /** A provider of type {@value #TYPE} whose tiers all count into {@code visits}. */
  public static TierProvider provider(LongAdder visits) {
    return new TierProvider() {
      @Override
      public String type() {
        return TYPE;
      }

      @Override
      public Tier create(TierConfig config) throws IOException {
        return open(config, visits);
      }
    };
  }
}
