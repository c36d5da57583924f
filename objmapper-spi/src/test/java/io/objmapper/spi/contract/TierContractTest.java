package io.objmapper.spi.contract;

import static io.objmapper.spi.TierFlag.EPHEMERAL;
import static io.objmapper.spi.TierFlag.PERSISTENT;
import static io.objmapper.spi.TierFlag.READABLE;
import static io.objmapper.spi.TierFlag.WRITABLE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.objmapper.spi.InvalidObjectNameException;
import io.objmapper.spi.ObjectNames;
import io.objmapper.spi.ObjectStat;
import io.objmapper.spi.Tier;
import io.objmapper.spi.TierAccessException;
import io.objmapper.spi.TierConfig;
import io.objmapper.spi.TierFlag;
import io.objmapper.spi.TierProvider;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.NonWritableChannelException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The behaviour every {@link Tier} must have. A tier implementation runs these tests against
 * itself by extending this class in its own test sources (the class ships in the test-jar of
 * {@code objmapper-spi}):
 *
 * <pre>{@code
 * class S3TierContractTest extends TierContractTest {
 *   @Override
 *   protected TierProvider provider() {
 *     return new S3TierProvider();
 *   }
 *
 *   @Override
 *   protected void configure(TierConfig.Builder builder) {
 *     builder.option("bucket", "contract-tests");
 *   }
 * }
 * }</pre>
 *
 * <p>Each test gets a tier made by {@link #newTier}: readable and writable, its root an empty
 * directory inside a JUnit temporary directory. Tests of what only a local tier does (paths,
 * channels, files placed behind the tier's back) are skipped for a remote tier, and the
 * other way round.
 */
public abstract class TierContractTest {
  private static final String TEMP_PREFIX = ObjectNames.RESERVED_PREFIX;

  @TempDir
  private Path workDir;

  private Path root;
  private Tier tier;
  private final List<Tier> otherTiers = new ArrayList<>();
  private int sources;

  /** The provider of the tier under test. */
  protected abstract TierProvider provider();

  /**
   * Adds to {@code builder} what the provider needs beyond the name, type, id, root and flags
   * the kit sets; nothing by default.
   */
  protected void configure(TierConfig.Builder builder) {}

  /**
   * Opens a tier of the type under test whose root is {@code emptyDirectory}, with {@code
   * flags}. By default: a config named {@code "contract <type>"}, id 3, then {@link
   * #configure}, then {@link TierProvider#create}.
   */
  protected Tier newTier(Path emptyDirectory, Set<TierFlag> flags) throws IOException {
    TierConfig.Builder builder = TierConfig.builder()
        .name("contract " + provider().type())
        .type(provider().type())
        .id(3)
        .root(emptyDirectory)
        .flags(flags);
    configure(builder);
    return provider().create(builder.build());
  }

  @BeforeEach
  final void openTier() throws IOException {
    root = Files.createDirectory(workDir.resolve("root"));
    tier = newTier(root, EnumSet.of(READABLE, WRITABLE));
  }

  @AfterEach
  final void closeTiers() throws IOException {
    for (Tier other : otherTiers) {
      other.close();
    }
    tier.close();
  }

  // ---- round trips ----------------------------------------------------------------------

  @Test
  public void writtenBytesReadBackIdentically() throws IOException {
    byte[] data = bytes(10_000, 1);
    tier.write("/a", data);

    assertSameBytes(read("/a"), data);
    assertThat(tier.stat("/a").size()).isEqualTo(data.length);
  }

  @Test
  public void writeReturnsTheStatThatStatReports() throws IOException {
    ObjectStat written = tier.write("/a", bytes(123, 2));

    assertThat(written.size()).isEqualTo(123);
    assertThat(tier.stat("/a")).isEqualTo(written);
  }

  @Test
  public void statOfAMissingObjectIsNull() throws IOException {
    assertThat(tier.stat("/missing")).isNull();
    assertThat(tier.stat("/no/such/dir/object")).isNull();
  }

  @Test
  public void openingAMissingObjectThrowsNoSuchFile() throws IOException {
    assertThatThrownBy(() -> tier.openStream("/missing")).isInstanceOf(NoSuchFileException.class);
    if (tier.localFiles().isPresent()) {
      assertThatThrownBy(() -> tier.localFiles().get().openRead("/missing").getChannel()).isInstanceOf(NoSuchFileException.class);
    }
  }

  @Test
  public void zeroLengthObjectsAreStoredAndRead() throws IOException {
    assertThat(tier.write("/empty", new byte[0]).size()).isZero();
    assertThat(tier.write("/empty-stream", InputStream.nullInputStream()).size()).isZero();

    assertThat(read("/empty")).isEmpty();
    assertThat(tier.stat("/empty-stream").size()).isZero();
    assertThat(scanSizes(tier)).containsOnly(Map.entry("/empty", 0L), Map.entry("/empty-stream", 0L));
    assertThat(tier.objectCount()).isEqualTo(2);
    assertThat(tier.usedBytes()).isZero();
  }

  @Test
  public void largeObjectsRoundTrip() throws IOException {
    byte[] data = bytes(5 * 1024 * 1024 + 123, 3);

    ObjectStat stat = tier.write("/large", new ByteArrayInputStream(data));

    assertThat(stat.size()).isEqualTo(data.length);
    assertSameBytes(read("/large"), data);
    if (tier.localFiles().isPresent()) {
      try (FileChannel ch = tier.localFiles().get().openRead("/large").getChannel()) {
        assertThat(ch.size()).isEqualTo(data.length);
        ByteBuffer buf = ByteBuffer.allocate(data.length);
        while (buf.hasRemaining() && ch.read(buf) >= 0) {
          // fill the buffer
        }
        assertSameBytes(buf.array(), data);
      }
    }
  }

  @Test
  public void writeFromAFileChannelCopiesTheRequestedRange() throws IOException {
    byte[] data = bytes(3 * 1024 * 1024, 4);
    try (FileChannel source = FileChannel.open(sourceFile(data), StandardOpenOption.READ)) {
      ObjectStat stat = tier.write("/copied", source, 1000, 2 * 1024 * 1024);

      assertThat(stat.size()).isEqualTo(2 * 1024 * 1024);
      assertThat(source.position()).isZero();
    }
    assertSameBytes(read("/copied"), Arrays.copyOfRange(data, 1000, 1000 + 2 * 1024 * 1024));
  }

  @Test
  public void writeFromAFileChannelThatEndsEarlyFailsAndStoresNothing() throws IOException {
    byte[] old = bytes(50, 5);
    ObjectStat oldStat = tier.write("/kept", old);
    try (FileChannel source = FileChannel.open(sourceFile(bytes(100, 6)), StandardOpenOption.READ)) {
      assertThatThrownBy(() -> tier.write("/kept", source, 40, 100)).isInstanceOf(EOFException.class);
      assertThatThrownBy(() -> tier.write("/new", source, 0, 101)).isInstanceOf(EOFException.class);
    }

    assertSameBytes(read("/kept"), old);
    assertThat(tier.stat("/kept")).isEqualTo(oldStat);
    assertThat(tier.stat("/new")).isNull();
    assertNoTemporaryFiles();
  }

  @Test
  public void writeFromAByteBufferStoresItsRemainingBytes() throws IOException {
    byte[] data = bytes(100, 7);
    ByteBuffer buf = ByteBuffer.wrap(data);
    buf.position(10).limit(50);

    tier.write("/slice", buf);

    assertSameBytes(read("/slice"), Arrays.copyOfRange(data, 10, 50));
    assertThat(buf.position()).isEqualTo(50);
  }

  @Test
  public void namesWithUtf8CharactersRoundTrip() throws IOException {
    List<String> names = List.of("/données/日本語/😀.bin", "/emoji-🎉", "/Ωμέγα");
    for (int i = 0; i < names.size(); i++) {
      tier.write(names.get(i), bytes(10 + i, 8 + i));
    }

    for (int i = 0; i < names.size(); i++) {
      assertSameBytes(read(names.get(i)), bytes(10 + i, 8 + i));
    }
    assertThat(scanSizes(tier)).containsOnlyKeys(names);
  }

  @Test
  public void nestedNamesCreateDirectories() throws IOException {
    tier.write("/x/y/z/object", bytes(10, 9));

    assertSameBytes(read("/x/y/z/object"), bytes(10, 9));
    assertThat(scanSizes(tier)).containsOnlyKeys("/x/y/z/object");
    if (tier.localFiles().isPresent()) {
      assertThat(root.resolve("x/y/z")).isDirectory();
    }
  }

  @Test
  public void aDirectoryIsNotAnObject() throws IOException {
    tier.write("/x/y/object", bytes(10, 10));

    assertThat(tier.stat("/x/y")).isNull();
    assertThatThrownBy(() -> tier.openStream("/x/y")).isInstanceOf(NoSuchFileException.class);
    if (tier.localFiles().isPresent()) {
      assertThatThrownBy(() -> tier.localFiles().get().openRead("/x/y").getChannel()).isInstanceOf(NoSuchFileException.class);
    }
    assertThat(tier.delete("/x/y")).isFalse();
    assertThat(tier.stat("/x/y/object")).isNotNull();
  }

  @Test
  public void aNameBelowAnObjectIsMissing() throws IOException {
    tier.write("/f", bytes(10, 11));

    assertThat(tier.stat("/f/g")).isNull();
    assertThatThrownBy(() -> tier.openStream("/f/g")).isInstanceOf(NoSuchFileException.class);
    assertThat(tier.delete("/f/g")).isFalse();
  }

  // ---- overwrites -----------------------------------------------------------------------

  @Test
  public void overwriteReplacesTheWholeObject() throws IOException {
    tier.write("/a", bytes(5000, 12));
    ObjectStat second = tier.write("/a", bytes(10, 13));

    assertSameBytes(read("/a"), bytes(10, 13));
    assertThat(tier.stat("/a")).isEqualTo(second);
    assertThat(second.size()).isEqualTo(10);
  }

  @Test
  public void anOpenStreamKeepsReadingTheOldVersionAfterAnOverwrite() throws IOException {
    byte[] old = bytes(256 * 1024, 14);
    byte[] next = bytes(100 * 1024, 15);
    tier.write("/a", old);

    try (InputStream in = tier.openStream("/a")) {
      byte[] head = in.readNBytes(1000);
      tier.write("/a", next);
      byte[] rest = in.readAllBytes();

      assertSameBytes(concat(head, rest), old);
    }
    assertSameBytes(read("/a"), next);
  }

  @Test
  public void anOpenChannelKeepsReadingTheOldVersionAfterAnOverwrite() throws IOException {
    assumeLocal();
    byte[] old = bytes(256 * 1024, 16);
    byte[] next = bytes(300 * 1024, 17);
    tier.write("/a", old);

    try (FileChannel ch = tier.localFiles().get().openRead("/a").getChannel()) {
      tier.write("/a", next);

      assertThat(ch.size()).isEqualTo(old.length);
      assertSameBytes(readAll(ch), old);
    }
  }

  @Test
  public void anOpenChannelKeepsReadingAfterTheObjectIsDeleted() throws IOException {
    assumeLocal();
    byte[] old = bytes(64 * 1024, 18);
    tier.write("/a", old);

    try (FileChannel ch = tier.localFiles().get().openRead("/a").getChannel()) {
      assertThat(tier.delete("/a")).isTrue();

      assertSameBytes(readAll(ch), old);
    }
  }

  @Test
  public void concurrentReadersSeeOnlyWholeVersions() throws Exception {
    byte[] a = bytes(64 * 1024, 19);
    byte[] b = bytes(96 * 1024, 20);
    tier.write("/contended", a);
    AtomicBoolean writing = new AtomicBoolean(true);
    ExecutorService writer = Executors.newSingleThreadExecutor();
    try {
      Future<?> writes = writer.submit(() -> {
        try {
          for (int i = 0; i < 40; i++) {
            tier.write("/contended", i % 2 == 0 ? b : a);
          }
        } finally {
          writing.set(false);
        }
        return null;
      });
      int reads = 0;
      do {
        byte[] seen = read("/contended");
        if (!Arrays.equals(seen, a) && !Arrays.equals(seen, b)) {
          fail("read %d saw a version that is neither whole object (%d bytes)", reads, seen.length);
        }
        reads++;
      } while (writing.get());
      writes.get(1, TimeUnit.MINUTES);

      assertThat(reads).isPositive();
      assertSameBytes(read("/contended"), a);
    } finally {
      writer.shutdownNow();
    }
  }

  // ---- deletes --------------------------------------------------------------------------

  @Test
  public void deleteRemovesTheObject() throws IOException {
    tier.write("/a", bytes(10, 21));

    assertThat(tier.delete("/a")).isTrue();

    assertThat(tier.stat("/a")).isNull();
    assertThatThrownBy(() -> tier.openStream("/a")).isInstanceOf(NoSuchFileException.class);
    assertThat(tier.delete("/a")).isFalse();
  }

  @Test
  public void deletingAMissingObjectReturnsFalse() throws IOException {
    assertThat(tier.delete("/missing")).isFalse();
    assertThat(tier.delete("/no/such/dir/object")).isFalse();
    assertThat(tier.objectCount()).isZero();
  }

  // ---- scans and counts -----------------------------------------------------------------

  @Test
  public void scanVisitsExactlyTheWrittenObjectsWithTheirSizes() throws IOException {
    tier.write("/a", bytes(1, 22));
    tier.write("/b/c", bytes(2, 23));
    tier.write("/b/d/e", bytes(3, 24));
    tier.write("/a", bytes(4, 25));
    tier.delete("/b/c");

    Map<String, ObjectStat> seen = new TreeMap<>();
    long visited = tier.scan((name, stat) -> {
      assertThat(seen.put(name, stat)).as("visits of %s", name).isNull();
    }, Tier.ScanProgress.NONE);

    assertThat(visited).isEqualTo(2);
    assertThat(seen).containsOnlyKeys("/a", "/b/d/e");
    assertThat(seen.get("/a")).isEqualTo(tier.stat("/a"));
    assertThat(seen.get("/b/d/e").size()).isEqualTo(3);
  }

  @Test
  public void scanReportsProgressEndingWithTheTotals() throws IOException {
    long total = 0;
    for (int i = 0; i < 5; i++) {
      tier.write("/p/" + i, bytes(100 + i, 26 + i));
      total += 100 + i;
    }
    List<long[]> reports = new ArrayList<>();

    tier.scan((name, stat) -> {}, (objects, bytes) -> reports.add(new long[] {objects, bytes}));

    assertThat(reports).isNotEmpty();
    for (int i = 1; i < reports.size(); i++) {
      assertThat(reports.get(i)[0]).isGreaterThanOrEqualTo(reports.get(i - 1)[0]);
      assertThat(reports.get(i)[1]).isGreaterThanOrEqualTo(reports.get(i - 1)[1]);
    }
    assertThat(reports.get(reports.size() - 1)).containsExactly(5, total);
  }

  @Test
  public void scanOfAnEmptyTierVisitsNothingAndReportsZero() throws IOException {
    List<long[]> reports = new ArrayList<>();

    long visited = tier.scan((name, stat) -> fail("visited %s", name),
        (objects, bytes) -> reports.add(new long[] {objects, bytes}));

    assertThat(visited).isZero();
    assertThat(reports).isNotEmpty();
    assertThat(reports.get(reports.size() - 1)).containsExactly(0, 0);
  }

  @Test
  public void scanSkipsTheTiersOwnFiles() throws IOException {
    assumeLocal();
    tier.write("/real", bytes(10, 31));
    Files.createDirectories(root.resolve("sub"));
    Files.write(root.resolve(TEMP_PREFIX + "-tmp-1234"), bytes(5, 32));
    Files.write(root.resolve("sub/" + TEMP_PREFIX + "-tmp-5678"), bytes(5, 33));
    Files.createDirectories(root.resolve(TEMP_PREFIX + "_index"));
    Files.write(root.resolve(TEMP_PREFIX + "_index/segment"), bytes(5, 34));

    assertThat(scanSizes(tier)).containsOnly(Map.entry("/real", 10L));
    assertThat(tier.objectCount()).isEqualTo(1);
    assertThat(tier.usedBytes()).isEqualTo(10);
  }

  @Test
  public void usedBytesAndObjectCountFollowWritesOverwritesAndDeletes() throws IOException {
    assertCounts(tier, 0, 0);
    tier.write("/a", bytes(10, 35));
    assertCounts(tier, 1, 10);
    tier.write("/b/c", bytes(5, 36));
    assertCounts(tier, 2, 15);
    tier.write("/a", bytes(3, 37));
    assertCounts(tier, 2, 8);
    tier.delete("/b/c");
    assertCounts(tier, 1, 3);
    tier.delete("/b/c");
    assertCounts(tier, 1, 3);
    tier.delete("/a");
    assertCounts(tier, 0, 0);
  }

  @Test
  public void concurrentWritesToDifferentNamesKeepTheCountsRight() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < 2; t++) {
        int thread = t;
        done.add(pool.submit(() -> {
          for (int i = 0; i < 20; i++) {
            tier.write("/t" + thread + "/" + (i % 15), bytes(10 + i, i));
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get(1, TimeUnit.MINUTES);
      }
    } finally {
      pool.shutdownNow();
    }
    long countedObjects = tier.objectCount();
    long countedBytes = tier.usedBytes();

    Map<String, Long> sizes = scanSizes(tier);
    assertThat(countedObjects).isEqualTo(sizes.size()).isEqualTo(30);
    assertThat(countedBytes).isEqualTo(sizes.values().stream().mapToLong(Long::longValue).sum());
  }

  @Test
  public void countsAtOpenComeFromWhatIsAlreadyStored() throws IOException {
    assumeLocal();
    Path dir = Files.createDirectory(workDir.resolve("preloaded"));
    Files.createDirectories(dir.resolve("d"));
    Files.write(dir.resolve("one"), bytes(7, 38));
    Files.write(dir.resolve("d/two"), bytes(9, 39));

    Tier opened = open(dir, EnumSet.of(READABLE, WRITABLE));

    assertCounts(opened, 2, 16);
    assertSameBytes(readAll(opened, "/d/two"), bytes(9, 39));
  }

  @Test
  public void changesBehindTheTiersBackAreSeenOnTheNextScan() throws IOException {
    assumeLocal();
    tier.write("/through-the-tier", bytes(4, 40));
    Files.write(root.resolve("behind-its-back"), bytes(6, 41));

    assertThat(scanSizes(tier)).containsOnlyKeys("/through-the-tier", "/behind-its-back");
    assertCounts(tier, 2, 10);
  }

  // ---- failures -------------------------------------------------------------------------

  @Test
  public void aWriteWhoseSourceFailsLeavesTheOldObjectAndNoTemporaryFile() throws IOException {
    byte[] old = bytes(1000, 42);
    ObjectStat oldStat = tier.write("/a", old);
    IOException failure = new IOException("source failed on purpose");

    assertThatThrownBy(() -> tier.write("/a", failingAfter(bytes(200_000, 43), failure)))
        .isSameAs(failure);

    assertSameBytes(read("/a"), old);
    assertThat(tier.stat("/a")).isEqualTo(oldStat);
    assertCounts(tier, 1, 1000);
    assertNoTemporaryFiles();
  }

  @Test
  public void aFailedWriteOfANewObjectLeavesNothing() throws IOException {
    IOException failure = new IOException("source failed on purpose");

    assertThatThrownBy(() -> tier.write("/new", failingAfter(bytes(10_000, 44), failure)))
        .isSameAs(failure);

    assertThat(tier.stat("/new")).isNull();
    assertThat(scanSizes(tier)).isEmpty();
    assertCounts(tier, 0, 0);
    if (tier.localFiles().isPresent()) {
      assertThat(filesBelow(root)).isEmpty();
    }
  }

  @Test
  public void aSourceThatThrowsAnUncheckedExceptionLeavesNoTemporaryFile() throws IOException {
    tier.write("/a", bytes(10, 45));
    RuntimeException failure = new UncheckedIOException(new IOException("unchecked on purpose"));

    assertThatThrownBy(() -> tier.write("/a", failingAfter(bytes(100, 46), failure))).isSameAs(failure);

    assertSameBytes(read("/a"), bytes(10, 45));
    assertNoTemporaryFiles();
  }

  @Test
  public void aWriteThatCannotReplaceADirectoryFailsAndLeavesNoTemporaryFile() throws IOException {
    assumeLocal();
    tier.write("/dir/object", bytes(10, 47));

    assertThatThrownBy(() -> tier.write("/dir", bytes(10, 48))).isInstanceOf(IOException.class);
    assertThatThrownBy(() -> tier.write("/dir/object/below", bytes(10, 49)))
        .isInstanceOf(IOException.class);

    assertSameBytes(read("/dir/object"), bytes(10, 47));
    assertCounts(tier, 1, 10);
    assertNoTemporaryFiles();
  }

  // ---- names ----------------------------------------------------------------------------

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {
      "/", "a", "a/b", "/..", "/../x", "/a/../../x", "//x", "/a//b", "/a/", "/.", "/./a",
      "/a/.", "/a\u0000b", "/a\\b", "/a\\..\\..\\x", "/a\nb", "/.objmapper-tmp-1",
      "/a/.objmapper_index"})
  public void invalidNamesAreRejectedBeforeAnyFileIsTouched(String name) throws IOException {
    Path source = sourceFile(bytes(10, 50));
    List<Path> workDirBefore = listing(workDir);

    try (FileChannel ch = FileChannel.open(source, StandardOpenOption.READ)) {
      assertRejected(name, () -> tier.stat(name));
      assertRejected(name, () -> tier.openStream(name));
      assertRejected(name, () -> tier.write(name, bytes(10, 51)));
      assertRejected(name, () -> tier.write(name, new ByteArrayInputStream(bytes(10, 52))));
      assertRejected(name, () -> tier.write(name, ByteBuffer.wrap(bytes(10, 53))));
      assertRejected(name, () -> tier.write(name, ch, 0, 10));
      assertRejected(name, () -> tier.delete(name));
      if (tier.localFiles().isPresent()) {
        assertRejected(name, () -> tier.localFiles().get().path(name));
        assertRejected(name, () -> tier.localFiles().get().openRead(name).getChannel());
      }
    }

    assertThat(listing(workDir)).isEqualTo(workDirBefore);
    assertThat(listing(root)).isEmpty();
    assertThat(tier.objectCount()).isZero();
  }

  // ---- local and remote -----------------------------------------------------------------

  @Test
  public void aLocalObjectLivesInAFileBelowTheRoot() throws IOException {
    assumeLocal();
    tier.write("/a/b", bytes(10, 54));

    Path file = tier.localFiles().get().path("/a/b");

    assertThat(file.toRealPath()).isEqualTo(root.toRealPath().resolve("a/b"));
    assertSameBytes(Files.readAllBytes(file), bytes(10, 54));
    assertThat(tier.localFiles().get().path("/not/written")).doesNotExist();
  }

  @Test
  public void openReadGivesAChannelThatCannotWrite() throws IOException {
    assumeLocal();
    tier.write("/a", bytes(10, 55));

    try (FileChannel ch = tier.localFiles().get().openRead("/a").getChannel()) {
      assertThatThrownBy(() -> ch.write(ByteBuffer.wrap(bytes(3, 56))))
          .isInstanceOf(NonWritableChannelException.class);
      assertThatThrownBy(() -> ch.truncate(0)).isInstanceOf(NonWritableChannelException.class);
    }
    assertSameBytes(read("/a"), bytes(10, 55));
  }

  @Test
  public void aRemoteTierHasNoLocalFilesAndIsReadAsAStream() throws IOException {
    assumeFalse(tier.localFiles().isPresent(),
        "skipped: checks what a remote tier (no Tier.localFiles()) does; the tier under test is local");
    tier.write("/a", bytes(10, 57));

    assertThat(tier.localFiles()).isEmpty();
    assertSameBytes(read("/a"), bytes(10, 57));
  }

  @Test
  public void aSymbolicLinkWhereAnObjectWouldBeIsNoObjectAndIsNeverFollowed() throws IOException {
    assumeLocal();
    Path outside = Files.createDirectories(workDir.resolve("outside"));
    Path secret = Files.write(outside.resolve("secret"), bytes(7, 58));
    Path file = tier.localFiles().get().path("/link");
    Files.createDirectories(file.getParent());
    Files.createSymbolicLink(file, secret);

    assertThat(tier.stat("/link")).isNull();
    assertThatThrownBy(() -> tier.localFiles().get().openRead("/link")).isInstanceOf(NoSuchFileException.class);
    assertThatThrownBy(() -> tier.openStream("/link")).isInstanceOf(NoSuchFileException.class);
    List<String> seen = new ArrayList<>();
    tier.scan((name, stat) -> seen.add(name), Tier.ScanProgress.NONE);
    assertThat(seen).doesNotContain("/link");
    assertThat(tier.delete("/link")).isFalse();
    tier.write("/link", bytes(3, 59)); // replaces the link inside the root, never its target
    assertSameBytes(Files.readAllBytes(secret), bytes(7, 58));
  }

  @Test
  public void aFifoWhereAnObjectWouldBeIsNoObjectAndNeverBlocks() throws Exception {
    assumeLocal();
    assumeTrue(System.getProperty("os.name").equals("Linux"), "skipped: checks that a FIFO is never opened, made with mkfifo, which this test runs on Linux only");
    Path file = tier.localFiles().get().path("/fifo");
    Files.createDirectories(file.getParent());
    Process mkfifo = new ProcessBuilder("mkfifo", file.toString())
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
    assertThat(mkfifo.waitFor()).isZero();

    // a hang guard only: every call answers at once
    org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(30), () -> {
      assertThat(tier.stat("/fifo")).isNull();
      assertThatThrownBy(() -> tier.localFiles().get().openRead("/fifo")).isInstanceOf(NoSuchFileException.class);
      assertThatThrownBy(() -> tier.openStream("/fifo")).isInstanceOf(NoSuchFileException.class);
      List<String> seen = new ArrayList<>();
      tier.scan((name, stat) -> seen.add(name), Tier.ScanProgress.NONE);
      assertThat(seen).doesNotContain("/fifo");
    });
  }

  @Test
  public void aLocalTierAnswersWithTheSameLocalFilesEveryTime() {
    assumeLocal();
    assertThat(tier.localFiles()).isPresent();
    assertThat(tier.localFiles().get()).isSameAs(tier.localFiles().get());
  }

  // ---- flags, config, lifecycle ---------------------------------------------------------

  @Test
  public void theTierRunsWithTheConfigItWasCreatedFrom() {
    TierConfig config = tier.config();

    assertThat(config.name()).isEqualTo("contract " + provider().type());
    assertThat(tier.name()).isEqualTo(config.name());
    assertThat(config.type()).isEqualTo(provider().type());
    assertThat(config.id()).isEqualTo(3);
    assertThat(config.flags()).contains(READABLE, WRITABLE);
    assertThat(config.has(PERSISTENT) && config.has(EPHEMERAL)).isFalse();
  }

  @Test
  public void aTierWithoutWritableRefusesWritesAndDeletesAndCreatesNothing() throws IOException {
    Path dir = Files.createDirectory(workDir.resolve("read-only"));
    Tier readOnly = open(dir, EnumSet.of(READABLE));

    assertThatThrownBy(() -> readOnly.write("/a", bytes(10, 58)))
        .isInstanceOfSatisfying(TierAccessException.class,
            e -> assertThat(e.missingFlag()).isEqualTo(WRITABLE));
    assertThatThrownBy(() -> readOnly.write("/b", new ByteArrayInputStream(bytes(10, 59))))
        .isInstanceOf(TierAccessException.class);
    assertThatThrownBy(() -> readOnly.delete("/a")).isInstanceOf(TierAccessException.class);

    assertThat(readOnly.stat("/a")).isNull();
    assertThat(readOnly.objectCount()).isZero();
    assertThat(listing(dir)).isEmpty();
  }

  @Test
  public void aTierWithoutReadableRefusesReads() throws IOException {
    Path dir = Files.createDirectory(workDir.resolve("write-only"));
    Tier writeOnly = open(dir, EnumSet.of(WRITABLE));
    writeOnly.write("/a", bytes(10, 60));

    assertThatThrownBy(() -> writeOnly.openStream("/a"))
        .isInstanceOfSatisfying(TierAccessException.class,
            e -> assertThat(e.missingFlag()).isEqualTo(READABLE));
    if (writeOnly.localFiles().isPresent()) {
      assertThatThrownBy(() -> writeOnly.localFiles().get().openRead("/a").getChannel()).isInstanceOf(TierAccessException.class);
    }
    assertThat(writeOnly.stat("/a").size()).isEqualTo(10);
  }

  @Test
  public void closeIsIdempotent() throws IOException {
    tier.write("/a", bytes(10, 61));

    tier.close();

    assertThatCode(tier::close).doesNotThrowAnyException();
    assertThat(tier.config().type()).isEqualTo(provider().type());
  }

  @Test
  public void operationsAfterCloseFailWithIllegalState() throws IOException {
    tier.write("/a", bytes(10, 62));
    tier.close();

    assertThatThrownBy(() -> tier.stat("/a")).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> tier.openStream("/a")).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> tier.write("/b", bytes(1, 63))).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> tier.delete("/a")).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> tier.scan((n, s) -> {}, Tier.ScanProgress.NONE))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(tier::usedBytes).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(tier::objectCount).isInstanceOf(IllegalStateException.class);
  }

  // ---- helpers --------------------------------------------------------------------------

  private Tier open(Path dir, Set<TierFlag> flags) throws IOException {
    Tier opened = newTier(dir, flags);
    otherTiers.add(opened);
    return opened;
  }

  private void assumeLocal() {
    assumeTrue(tier.localFiles().isPresent(), "skipped: checks the files of a local tier (Tier.localFiles(): path, "
        + "openRead, descriptors); the tier under test is not local");
  }

  private byte[] read(String name) throws IOException {
    return readAll(tier, name);
  }

  private static byte[] readAll(Tier t, String name) throws IOException {
    try (InputStream in = t.openStream(name)) {
      return in.readAllBytes();
    }
  }

  private static byte[] readAll(FileChannel ch) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(Math.toIntExact(ch.size()));
    long position = 0;
    while (buf.hasRemaining()) {
      int n = ch.read(buf, position);
      if (n < 0) {
        break;
      }
      position += n;
    }
    return Arrays.copyOf(buf.array(), buf.position());
  }

  private static Map<String, Long> scanSizes(Tier t) throws IOException {
    Map<String, Long> sizes = new TreeMap<>();
    t.scan((name, stat) -> sizes.put(name, stat.size()), Tier.ScanProgress.NONE);
    return sizes;
  }

  private static void assertCounts(Tier t, long objects, long bytes) {
    assertThat(t.objectCount()).as("objectCount").isEqualTo(objects);
    assertThat(t.usedBytes()).as("usedBytes").isEqualTo(bytes);
  }

  private void assertNoTemporaryFiles() throws IOException {
    if (tier.localFiles().isPresent()) {
      assertThat(filesBelow(root))
          .noneMatch(p -> p.getFileName().toString().startsWith(TEMP_PREFIX));
    }
    assertThat(scanSizes(tier).keySet()).noneMatch(ObjectNames::isReserved);
  }

  private static void assertRejected(String name, ThrowingCall call) {
    assertThatThrownBy(call::run).as("operation on %s", name).isInstanceOf(InvalidObjectNameException.class);
  }

  @FunctionalInterface
  private interface ThrowingCall {
    void run() throws Exception;
  }

  private static void assertSameBytes(byte[] actual, byte[] expected) {
    int mismatch = Arrays.mismatch(actual, expected);
    if (mismatch >= 0) {
      fail("bytes differ at offset %d (read %d bytes, expected %d)", mismatch, actual.length,
          expected.length);
    }
  }

  private Path sourceFile(byte[] data) throws IOException {
    Path dir = Files.createDirectories(workDir.resolve("sources"));
    return Files.write(dir.resolve("source-" + sources++), data);
  }

  private static List<Path> filesBelow(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).collect(Collectors.toList());
    }
  }

  private static List<Path> listing(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(p -> !p.equals(dir)).sorted().collect(Collectors.toList());
    }
  }

  private static byte[] bytes(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] c = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }

  /** Yields {@code prefix}, then throws {@code failure} (checked or not). */
  private static InputStream failingAfter(byte[] prefix, Exception failure) {
    return new InputStream() {
      private int pos;

      @Override
      public int read() throws IOException {
        if (pos < prefix.length) {
          return prefix[pos++] & 0xff;
        }
        throw fail();
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
          return 0;
        }
        if (pos >= prefix.length) {
          throw fail();
        }
        int n = Math.min(len, prefix.length - pos);
        System.arraycopy(prefix, pos, b, off, n);
        pos += n;
        return n;
      }

      private IOException fail() {
        if (failure instanceof RuntimeException) {
          throw (RuntimeException) failure;
        }
        return (IOException) failure;
      }
    };
  }
}
