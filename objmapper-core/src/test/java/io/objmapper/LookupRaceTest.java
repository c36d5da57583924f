package io.objmapper;

import io.objmapper.testing.ForwardingTier;

import static io.objmapper.TestStores.version;
import static org.assertj.core.api.Assertions.assertThat;

import io.objmapper.spi.ObjectStat;
import io.objmapper.spi.Tier;
import io.objmapper.spi.TierProviders;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A lookup that has to ask a tier races a writer of the same name, made deterministic by a
 * tier that runs the writer while the lookup is inside {@link Tier#stat}.
 */
class LookupRaceTest {
  @TempDir Path dir;

  /** Runs {@code action} once, the next time a lookup asks the tier for a stat (after the tier answered). */
  private final AtomicReference<Runnable> onNextStat = new AtomicReference<>();

  @Test
  void lookupThatAskedTheTierDoesNotIndexAVersionAWriterReplacedMeanwhile() throws Exception {
    try (ObjMapper store = ObjMapper.builder().providers(TierProviders.of(ForwardingTier.wrappingFs(HookedTier::new)))
        .tier(TestStores.disk("disk", dir.resolve("disk"), 3.0)).build()) {
      Files.write(dir.resolve("disk/x"), version(1, 10)); // not indexed: found by asking the tier
      onNextStat.set(() -> store.put("/x", version(2, 20)));
      store.stat("/x");
      assertThat(store.list("/")).extracting(ObjectInfo::size).containsExactly(20L);
    }
  }

  @Test
  void lookupThatAskedTheTierKeepsTheFlagsOfAWriteThatRacedIt() throws Exception {
    try (ObjMapper store = ObjMapper.builder().providers(TierProviders.of(ForwardingTier.wrappingFs(HookedTier::new)))
        .tier(TestStores.disk("disk", dir.resolve("disk"), 3.0)).build()) {
      Files.write(dir.resolve("disk/x"), version(1, 10));
      onNextStat.set(() -> store.put("/x", version(2, 10), ObjectFlag.PINNED));
      store.stat("/x");
      assertThat(store.list("/")).singleElement().extracting(ObjectInfo::pinned).isEqualTo(true);
      assertThat(store.stat("/x")).map(ObjectInfo::pinned).hasValue(true);
    }
  }


  /** A tier that runs {@link #onNextStat} after answering a stat. */
  private final class HookedTier extends ForwardingTier {
    HookedTier(Tier tier) {
      super(tier);
    }

    @Override
    public ObjectStat stat(String name) throws IOException {
      ObjectStat s = delegate.stat(name);
      Runnable action = onNextStat.getAndSet(null);
      if (action != null) {
        action.run();
      }
      return s;
    }
  }
}
