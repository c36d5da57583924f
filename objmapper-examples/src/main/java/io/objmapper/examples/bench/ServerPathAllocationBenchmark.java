package io.objmapper.examples.bench;

import io.objmapper.ObjMapper;
import io.objmapper.ObjectLease;
import io.objmapper.protocol.Protocol;
import io.objmapper.protocol.ProtocolDecoder;
import io.objmapper.protocol.ProtocolEncoder;
import io.objmapper.protocol.ProtocolException;
import io.objmapper.protocol.RequestFrame;
import io.objmapper.protocol.Status;
import io.objmapper.server.RequestHandler;
import io.objmapper.server.ServedObject;
import io.objmapper.server.StoreHandler;
import io.objmapper.spi.ObjectNames;
import java.io.IOException;
import java.nio.ByteBuffer;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Issue 2's allocation target: on the FD-pass path the server allocates nothing per
 * request beyond the URI string. Run with JMH's GC profiler and read
 * {@code gc.alloc.rate.norm} (bytes per operation) of each piece of the per-request work,
 * done here without the socket, on the buffers and frame a connection reuses:
 *
 * <ul>
 *   <li>{@link #decodeRequestV2}: a V2 REQUEST decoded from a reused direct buffer into a
 *       reused {@link RequestFrame} (expected: the URI string only);
 *   <li>{@link #validateName}: the server's name check;
 *   <li>{@link #storeOpenClose}: the lookup through the public API, {@code store.open(uri)}
 *       and {@code close()}, reading size, mtime and tier as the server does. It includes
 *       one {@link ObjectLease} per call, which the server does not allocate;
 *   <li>{@link #serverHandlerAcquireRelease}: the lookup as the server makes it, through
 *       {@link StoreHandler} (the store's shared, reference-counted descriptor; expected:
 *       nothing);
 *   <li>{@link #encodeResponseV2}: the V2 response header and the SIZE, MTIME and BACKEND
 *       TLVs encoded into a reused direct buffer (expected: nothing);
 *   <li>{@link #requestWithoutSocket}: decode, name check, lease, encode in a row;
 *   <li>{@link #serverRequestWithoutSocket}: the same with the server's lookup (expected:
 *       the URI string only).
 * </ul>
 *
 * <pre>
 * java -cp objmapper-examples/target/objmapper.jar org.openjdk.jmh.Main ServerPathAllocationBenchmark \
 *     -prof gc -f 1 -wi 3 -i 5 -w 1s -r 1s
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
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
public class ServerPathAllocationBenchmark {
  /** The object requested: the same name as the sample object the load generator uses. */
  static final String URI = "/data/1k.bin";
  static final long REQUEST_ID = 42;
  static final int METADATA_LENGTH = ProtocolEncoder.SIZE_MTIME_LENGTH + ProtocolEncoder.BACKEND_TLV_LENGTH;

  private Path dir;
  private ObjMapper store;
  private final ByteBuffer in = ByteBuffer.allocateDirect(Protocol.V2_REQUEST_HEADER_LENGTH + Protocol.MAX_URI_LENGTH);
  private final ByteBuffer out = ByteBuffer.allocateDirect(Protocol.V2_RESPONSE_HEADER_LENGTH + METADATA_LENGTH);
  private final RequestFrame frame = new RequestFrame();
  private RequestHandler handler;
  private int tierId;
  private long size;
  private long mtimeSeconds;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    dir = Files.createTempDirectory("objmapper-alloc-bench");
    Path root = Files.createDirectories(dir.resolve("disk"));
    store = BenchStores.fsStore(root, 1024).build();
    store.put(URI, new byte[1024]);
    handler = StoreHandler.of(store);
    try (ObjectLease lease = store.open(URI)) {
      tierId = lease.tierId();
      size = lease.size();
      mtimeSeconds = lease.mtimeMillis() / 1000;
    }
    ProtocolEncoder.requestV2(in, REQUEST_ID, 0, io.objmapper.protocol.Mode.FDPASS, ProtocolEncoder.utf8(URI));
    in.flip();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    store.close();
    BenchStores.deleteTree(dir);
  }

  @Benchmark
  public String decodeRequestV2() throws ProtocolException {
    in.position(0);
    if (!ProtocolDecoder.decodeRequest(in, Protocol.VERSION_2, frame)) {
      throw new IllegalStateException("incomplete frame");
    }
    return frame.uri();
  }

  @Benchmark
  public boolean validateName() {
    return ObjectNames.isValid(URI);
  }

  @Benchmark
  public long storeOpenClose() {
    try (ObjectLease lease = store.open(URI)) {
      return lease.size() + lease.mtimeMillis() + lease.tierId();
    }
  }

  /** The lookup as the server makes it: the store's shared descriptor, no lease. */
  @Benchmark
  public long serverHandlerAcquireRelease() {
    ServedObject o = handler.acquire(URI);
    try {
      return o.size() + o.mtimeSeconds() + o.tierId();
    } finally {
      o.release();
    }
  }

  @Benchmark
  public int encodeResponseV2() {
    encode(size, mtimeSeconds, tierId);
    return out.position();
  }

  @Benchmark
  public int requestWithoutSocket() throws ProtocolException {
    in.position(0);
    if (!ProtocolDecoder.decodeRequest(in, Protocol.VERSION_2, frame)) {
      throw new IllegalStateException("incomplete frame");
    }
    String uri = frame.uri();
    if (!ObjectNames.isValid(uri)) {
      throw new IllegalStateException("invalid name " + uri);
    }
    try (ObjectLease lease = store.open(uri)) {
      encode(lease.size(), lease.mtimeMillis() / 1000, lease.tierId());
    }
    return out.position();
  }

  /** {@link #requestWithoutSocket} with the server's own lookup ({@link StoreHandler}) instead of a lease. */
  @Benchmark
  public int serverRequestWithoutSocket() throws ProtocolException {
    in.position(0);
    if (!ProtocolDecoder.decodeRequest(in, Protocol.VERSION_2, frame)) {
      throw new IllegalStateException("incomplete frame");
    }
    String uri = frame.uri();
    if (!ObjectNames.isValid(uri)) {
      throw new IllegalStateException("invalid name " + uri);
    }
    ServedObject o = handler.acquire(uri);
    try {
      encode(o.size(), o.mtimeSeconds(), o.tierId());
    } finally {
      o.release();
    }
    return out.position();
  }

  private void encode(long objectSize, long mtime, int tier) {
    out.clear();
    ProtocolEncoder.responseV2Header(out, frame.requestId(), Status.OK, 0, METADATA_LENGTH);
    ProtocolEncoder.sizeTlv(out, objectSize);
    ProtocolEncoder.mtimeTlv(out, mtime);
    ProtocolEncoder.backendTlv(out, tier);
  }
}
