package io.objmapper.internal.fdcache;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.objmapper.spi.LocalFiles;
import io.objmapper.spi.dir.BeneathRoot;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The descriptor cache on its own: reference counts, deferred close, revalidation, counters. */
class FdCacheTest {
  private static final long REVALIDATE_MILLIS = 1_000;

  @TempDir Path dir;
  private final AtomicLong now = new AtomicLong();
  private final List<OpenFile> held = new ArrayList<>();

  private BeneathRoot beneath;

  /** The files below {@link #dir}, opened the tiers' safe way. */
  private LocalFiles files() {
    try {
      if (beneath == null) {
        beneath = BeneathRoot.open(dir);
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return new LocalFiles() {
      @Override
      public Path root() {
        return beneath.root();
      }

      @Override
      public Path path(String name) {
        return beneath.root().resolve(name.substring(1));
      }

      @Override
      public java.io.FileInputStream openRead(String name, io.objmapper.spi.ObjectStat expected) throws IOException {
        return beneath.openRead(name.substring(1), expected);
      }

      @Override
      public java.io.RandomAccessFile openReadWrite(String name) throws IOException {
        return beneath.openReadWrite(name.substring(1));
      }
    };
  }

  @AfterEach
  void closeRoot() {
    if (beneath != null) {
      beneath.close();
    }
  }

  @AfterEach
  void releaseHeld() {
    held.forEach(f -> {
      if (f.references() > 0) {
        f.release();
      }
    });
  }

  private FdCache cache(long maxOpenFds) {
    return new FdCache(maxOpenFds, REVALIDATE_MILLIS, now::get);
  }

  /** An opener that serves files below {@link #dir} and counts its calls. */
  private final class DirOpener implements FdCache.Opener {
    final AtomicInteger calls = new AtomicInteger();

    @Override
    public FdCache.Located locate(String name) {
      calls.incrementAndGet();
      Path p = dir.resolve(name.substring(1));
      var s = FdCache.stat(p);
      return s == null ? null : new FdCache.Located(0, files(), s, name);
    }
  }

  private Path write(String name, String content) throws IOException {
    Path p = dir.resolve(name.substring(1));
    Path tmp = dir.resolve(".tmp-" + name.substring(1));
    Files.writeString(tmp, content, UTF_8);
    Files.move(tmp, p, StandardCopyOption.ATOMIC_MOVE);
    return p;
  }

  private static String read(OpenFile f) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate((int) f.size());
    while (buf.hasRemaining() && f.channel().read(buf, buf.position()) >= 0) {
      // positional reads until full
    }
    return new String(buf.array(), UTF_8);
  }

  private OpenFile hold(OpenFile f) {
    held.add(f);
    return f;
  }

  private void advance(long millis) {
    now.addAndGet(TimeUnit.MILLISECONDS.toNanos(millis));
  }

  @Test
  void secondAcquireOfTheSameNameIsServedFromTheCache() throws Exception {
    write("/a", "alpha");
    FdCache cache = cache(8);
    DirOpener opener = new DirOpener();
    OpenFile first = hold(cache.acquire("/a", opener));
    OpenFile second = hold(cache.acquireCached("/a"));
    assertThat(second).isSameAs(first);
    assertThat(opener.calls).hasValue(1);
    assertThat(cache.opens()).isEqualTo(1);
    assertThat(cache.hits()).isEqualTo(1);
    assertThat(cache.misses()).isEqualTo(1);
  }

  @Test
  void aReaderAndTheCacheEachHoldOneReference() throws Exception {
    write("/a", "alpha");
    FdCache cache = cache(8);
    OpenFile f = cache.acquire("/a", new DirOpener());
    assertThat(f.references()).isEqualTo(2);
    f.release();
    assertThat(f.references()).isEqualTo(1);
    assertThat(f.isOpen()).isTrue();
  }

  @Test
  void invalidatedDescriptorStaysOpenUntilItsReaderReleasesIt() throws Exception {
    write("/a", "alpha");
    FdCache cache = cache(8);
    OpenFile f = cache.acquire("/a", new DirOpener());
    cache.invalidate("/a");
    assertThat(f.isOpen()).isTrue();
    assertThat(read(f)).isEqualTo("alpha");
    f.release();
    assertThat(f.isOpen()).isFalse();
  }

  @Test
  void evictedDescriptorsStayOpenForTheirReadersAndCloseWhenReleased() throws Exception {
    FdCache cache = cache(2);
    DirOpener opener = new DirOpener();
    List<OpenFile> files = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      write("/o" + i, "object " + i);
      files.add(hold(cache.acquire("/o" + i, opener)));
    }
    assertThat(cache.size()).isLessThanOrEqualTo(2);
    assertThat(cache.evictions()).isGreaterThanOrEqualTo(18);
    for (int i = 0; i < 20; i++) {
      assertThat(files.get(i).isOpen()).isTrue();
      assertThat(read(files.get(i))).isEqualTo("object " + i);
    }
    files.forEach(OpenFile::release);
    long stillOpen = files.stream().filter(OpenFile::isOpen).count();
    assertThat(stillOpen).isEqualTo(cache.size());
  }

  @Test
  void invalidateAllClosesEveryUnheldDescriptor() throws Exception {
    FdCache cache = cache(8);
    List<OpenFile> files = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      write("/o" + i, "x");
      OpenFile f = cache.acquire("/o" + i, new DirOpener());
      f.release();
      files.add(f);
    }
    cache.invalidateAll();
    assertThat(files).noneMatch(OpenFile::isOpen);
    assertThat(cache.size()).isZero();
  }

  @Test
  void fileReplacedBehindTheCacheIsServedUntilTheRevalidationIntervalPasses() throws Exception {
    write("/a", "old");
    FdCache cache = cache(8);
    cache.acquire("/a", new DirOpener()).release();
    write("/a", "new!");
    advance(REVALIDATE_MILLIS - 1);
    OpenFile cached = cache.acquireCached("/a");
    assertThat(cached).isNotNull();
    assertThat(read(cached)).isEqualTo("old");
    cached.release();
  }

  @Test
  void fileReplacedBehindTheCacheIsReopenedAfterTheRevalidationInterval() throws Exception {
    write("/a", "old");
    FdCache cache = cache(8);
    OpenFile old = cache.acquire("/a", new DirOpener());
    old.release();
    write("/a", "new!");
    advance(REVALIDATE_MILLIS);
    assertThat(cache.acquireCached("/a")).isNull();
    assertThat(cache.staleDetected()).isEqualTo(1);
    assertThat(old.isOpen()).isFalse();
    OpenFile fresh = hold(cache.acquire("/a", new DirOpener()));
    assertThat(read(fresh)).isEqualTo("new!");
  }

  @Test
  void fileDeletedBehindTheCacheIsNotFoundAfterTheRevalidationInterval() throws Exception {
    Path p = write("/a", "gone soon");
    FdCache cache = cache(8);
    cache.acquire("/a", new DirOpener()).release();
    Files.delete(p);
    advance(REVALIDATE_MILLIS);
    assertThat(cache.acquire("/a", new DirOpener())).isNull();
    assertThat(cache.isCached("/a")).isFalse();
    assertThat(cache.staleDetected()).isEqualTo(1);
  }

  @Test
  void unchangedFileIsKeptAfterRevalidation() throws Exception {
    write("/a", "same");
    FdCache cache = cache(8);
    OpenFile f = cache.acquire("/a", new DirOpener());
    f.release();
    advance(REVALIDATE_MILLIS * 5);
    OpenFile again = hold(cache.acquireCached("/a"));
    assertThat(again).isSameAs(f);
    assertThat(cache.staleDetected()).isZero();
  }

  @Test
  void fileReplacedBetweenStatAndOpenIsLookedUpAgain() throws Exception {
    write("/a", "old");
    FdCache cache = cache(8);
    var oldStat = FdCache.stat(dir.resolve("a"));
    write("/a", "newer");
    AtomicInteger calls = new AtomicInteger();
    FdCache.Opener staleFirst = name -> {
      Path p = dir.resolve("a");
      return new FdCache.Located(0, files(), calls.getAndIncrement() == 0 ? oldStat : FdCache.stat(p), name);
    };
    OpenFile f = hold(cache.acquire("/a", staleFirst));
    assertThat(calls).hasValue(2);
    assertThat(read(f)).isEqualTo("newer");
    assertThat(cache.misses()).isEqualTo(1);
  }

  @Test
  void invalidationDuringAnOpenLeavesNothingCached() throws Exception {
    write("/a", "old");
    FdCache cache = cache(8);
    DirOpener dirOpener = new DirOpener();
    // A writer's invalidation lands while this open is under way: the version being opened may
    // already be replaced, so it must not stay cached for the next reader.
    FdCache.Opener racing = name -> {
      FdCache.Located loc = dirOpener.locate(name);
      cache.invalidate(name);
      return loc;
    };
    OpenFile f = hold(cache.acquire("/a", racing));
    assertThat(read(f)).isEqualTo("old");
    assertThat(cache.isCached("/a")).isFalse();
    f.release();
    assertThat(f.isOpen()).isFalse();
  }

  @Test
  void missingObjectCountsNeitherHitNorMiss() {
    FdCache cache = cache(8);
    assertThat(cache.acquire("/none", new DirOpener())).isNull();
    assertThat(cache.hits()).isZero();
    assertThat(cache.misses()).isZero();
    assertThat(cache.hitRate()).isZero();
  }

  @Test
  void hitRateIsHitsOverHitsAndMisses() throws Exception {
    write("/a", "a");
    FdCache cache = cache(8);
    DirOpener opener = new DirOpener();
    cache.acquire("/a", opener).release();
    for (int i = 0; i < 3; i++) {
      cache.acquire("/a", opener).release();
    }
    assertThat(cache.hitRate()).isEqualTo(0.75);
  }

  @Test
  void releasingMoreOftenThanAcquiredFails() throws Exception {
    write("/a", "a");
    FdCache cache = cache(8);
    OpenFile f = cache.acquire("/a", new DirOpener());
    cache.invalidate("/a");
    f.release();
    org.assertj.core.api.Assertions.assertThatThrownBy(f::release).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void closedDescriptorCannotBeAcquiredAgain() throws Exception {
    write("/a", "a");
    FdCache cache = cache(8);
    OpenFile f = cache.acquire("/a", new DirOpener());
    cache.invalidate("/a");
    f.release();
    assertThat(f.tryAcquire()).isFalse();
  }
}
