package io.objmapper.examples.bench;

import io.objmapper.ObjMapper;
import io.objmapper.ObjectLease;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Issue 3's in-process target: lookup + lease + release of a cached object
 * ({@code store.open(name).close()}) has a p50 of at most 200 ns and at least 4 times the
 * throughput of {@code FileChannel.open(path).close()} of the same file, in the same run.
 *
 * <p>Each benchmark runs in two modes: {@code thrpt} (operations per microsecond) for the
 * ratio and {@code sample} for the percentiles. The {@code *2Threads} variants run the
 * same work on two threads sharing one store and one file.
 *
 * <pre>
 * java -cp objmapper-examples/target/objmapper.jar org.openjdk.jmh.Main LeaseBenchmark \
 *     -f 1 -wi 3 -i 5 -w 1s -r 1s
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.Throughput, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {
    "--add-opens=java.base/java.lang=ALL-UNNAMED",
    "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
    "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
    "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
    "-Dchronicle.analytics.disable=true",
    "-Dchronicle.announcer.disable=true"})
public class LeaseBenchmark {
  /** Objects put into the store; the benchmarks open the first. */
  static final int OBJECTS = 8;
  static final String NAME = "/bench/object-0";

  private Path dir;
  private ObjMapper store;
  private Path file;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    dir = Files.createTempDirectory("objmapper-lease-bench");
    Path root = Files.createDirectories(dir.resolve("disk"));
    store = BenchStores.fsStore(root, 1024).build();
    byte[] data = new byte[1024];
    for (int i = 0; i < OBJECTS; i++) {
      data[0] = (byte) i;
      store.put("/bench/object-" + i, data);
    }
    file = BenchStores.fileOf(root, NAME);
    // Opened once so every measured open is a descriptor cache hit.
    try (ObjectLease lease = store.open(NAME)) {
      if (lease.size() != data.length) {
        throw new IllegalStateException("unexpected size " + lease.size());
      }
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    long hits = store.stats().fdCacheHits();
    long misses = store.stats().fdCacheMisses();
    store.close();
    BenchStores.deleteTree(dir);
    System.out.println();
    System.out.println("descriptor cache: " + hits + " hits, " + misses + " misses");
  }

  /** Lookup, lease of the cached descriptor, release. */
  @Benchmark
  public long storeOpenClose() {
    try (ObjectLease lease = store.open(NAME)) {
      return lease.size();
    }
  }

  /** What a caller without the store does: open the same file, close it. */
  @Benchmark
  public void fileChannelOpenClose() throws IOException {
    FileChannel.open(file).close();
  }

  @Benchmark
  @Threads(2)
  public long storeOpenClose2Threads() {
    return storeOpenClose();
  }

  @Benchmark
  @Threads(2)
  public void fileChannelOpenClose2Threads() throws IOException {
    fileChannelOpenClose();
  }
}
