package io.objmapper.server;

import static io.objmapper.server.RawClient.COPY;
import static io.objmapper.server.RawClient.FDPASS;
import static io.objmapper.server.RawClient.v1;
import static io.objmapper.server.RawClient.v2;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.objmapper.ObjMapperException;
import io.objmapper.client.ObjMapperClient;
import io.objmapper.client.RemoteObject;
import io.objmapper.protocol.Mode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * Thousands of requests, errors and disconnects leave the process (server and clients both)
 * with exactly the descriptors it had before.
 */
@Isolated("counts the descriptors of the whole process")
@Timeout(300)
class NoDescriptorLeakTest {
  private static final int ROUNDS = 8;

  @TempDir Path dir;
  Path sock;
  GatedHandler handler;
  ObjectServer server;

  @BeforeEach
  void start() throws Exception {
    handler = new GatedHandler(TestObjects.create(dir));
    handler.openGate(); // /slow objects go through the backend workers without waiting
    sock = dir.resolve("s.sock");
    server = ObjectServer.builder(handler).unixSocket(sock).tcp(new InetSocketAddress("127.0.0.1", 0))
        .parallelism(2).build().start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void requestsErrorsAndDisconnectsLeaveNoDescriptorOpen() throws Exception {
    int warmUp = round(0);
    awaitQuiet();
    List<String> openBefore = Fds.describeOpen();
    int requests = warmUp;
    for (int r = 1; r <= ROUNDS; r++) {
      requests += round(r);
    }
    awaitQuiet();
    assertThat(requests).as("requests sent").isGreaterThan(2000);
    assertThat(settledNewDescriptors(openBefore))
        .as("descriptors opened during %d requests and still open", requests).isEmpty();
    assertThat(handler.acquired.get()).isEqualTo(handler.released.get());
  }

  /**
   * The descriptors open now that were not open in {@code before} (number and target), once
   * there are none or after 10 s: a thread that has just ended a connection may still be
   * closing its socket, which a leak never stops being. Descriptors of {@code before} that
   * closed meanwhile (other tests' stores and handlers, closed when collected) are no leak of
   * this test's, so the two sets are compared, not their sizes.
   */
  private static List<String> settledNewDescriptors(List<String> before) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    List<String> added = newDescriptors(before);
    while (!added.isEmpty() && System.nanoTime() < deadline) {
      Thread.yield();
      added = newDescriptors(before);
    }
    return added;
  }

  private static List<String> newDescriptors(List<String> before) {
    List<String> now = new ArrayList<>(Fds.describeOpen());
    now.removeAll(before);
    now.removeIf(d -> d.endsWith("/fd")); // a listing of /proc/<pid>/fd: the measuring's own
    now.removeIf(d -> d.endsWith("(gone)")); // closed while listed
    return now;
  }

  /** Waits until every connection has ended and every acquired object was released. */
  private void awaitQuiet() {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while ((server.connectionCount() > 0 || handler.outstanding() > 0) && System.nanoTime() < deadline) {
      Thread.yield();
    }
    assertThat(server.connectionCount()).as("connections still open").isZero();
    assertThat(handler.outstanding()).as("objects not released").isZero();
  }

  /** One round of every kind of traffic; returns the number of requests sent. */
  private int round(int r) throws Exception {
    int n = 0;
    // V1: descriptors, content, errors
    try (ObjMapperClient c = ObjMapperClient.unix(sock).version(1).connect()) {
      for (int i = 0; i < 20; i++) {
        try (RemoteObject o = c.get("/hello.txt")) {
          assertThat(o.size()).isEqualTo(TestObjects.HELLO.length());
        }
        try (RemoteObject o = c.get("/a/b/c.txt", Mode.COPY)) {
          assertThat(o.bytes()).hasSize(6);
        }
        assertThatThrownBy(() -> c.get("/missing")).isInstanceOf(ObjMapperException.class);
        assertThatThrownBy(() -> c.get("/a/../b")).isInstanceOf(ObjMapperException.class);
        n += 4;
      }
    }
    // V2 pipelined, through the backend workers too, and segmented
    try (ObjMapperClient c = ObjMapperClient.unix(sock).connect()) {
      List<String> uris = new ArrayList<>();
      for (int i = 0; i < 60; i++) {
        uris.add(i % 3 == 0 ? "/slow" + (1 + i % 3) : i % 3 == 1 ? "/hello.txt" : "/a/b/c.txt");
      }
      for (RemoteObject o : c.getAll(uris, Mode.FDPASS)) {
        o.close();
      }
      for (RemoteObject o : c.getAll(uris.subList(0, 10), Mode.SEGMENTED)) {
        o.close();
      }
      assertThatThrownBy(() -> c.getAll(List.of("/hello.txt", "/missing", "/slow1"), Mode.FDPASS))
          .isInstanceOf(ObjMapperException.class);
      n += 73;
    }
    // TCP: content only
    InetSocketAddress tcp = server.tcpAddress();
    try (ObjMapperClient c = ObjMapperClient.tcp(tcp.getHostString(), tcp.getPort()).connect()) {
      for (int i = 0; i < 10; i++) {
        try (RemoteObject o = c.get("/hello.txt")) {
          assertThat(o.bytes()).hasSize(TestObjects.HELLO.length());
        }
        assertThatThrownBy(() -> c.get("/hello.txt", Mode.FDPASS)).isInstanceOf(ObjMapperException.class);
        n += 2;
      }
    }
    // a client closing with answers (and their descriptors) still on the way
    ObjMapperClient hasty = ObjMapperClient.unix(sock).connect();
    List<CompletableFuture<RemoteObject>> futures = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      futures.add(hasty.getAsync(i % 2 == 0 ? "/hello.txt" : "/slow1", Mode.FDPASS));
      n++;
    }
    hasty.close();
    for (CompletableFuture<RemoteObject> f : futures) {
      try {
        f.get(30, TimeUnit.SECONDS).close();
      } catch (java.util.concurrent.ExecutionException e) {
        // failed because the client closed first: nothing was handed out
      }
    }
    // raw: abrupt disconnect mid-pipeline
    for (int k = 0; k < 5; k++) {
      try (RawClient c = RawClient.v2(sock, 0x13, 100)) {
        List<byte[]> reqs = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
          reqs.add(v2(i, 0, i % 4 == 0 ? COPY : FDPASS, i % 3 == 0 ? "/slow2" : i % 5 == 0 ? "/big.bin" : "/hello.txt"));
        }
        c.send(reqs.toArray(new byte[0][]));
        n += 20;
      }
    }
    // raw: a descriptor left unread in the socket when the client goes away
    for (int k = 0; k < 5; k++) {
      try (RawClient c = RawClient.connect(sock)) {
        c.send(v1(FDPASS, "/hello.txt"), v1(FDPASS, "/a/b/c.txt"));
        c.readV1();
        n += 2;
      }
    }
    // raw: garbage, a truncated request, a bad HELLO
    for (byte[] junk : new byte[][] {"GET / HTTP/1.0\r\n\r\n".getBytes(), new byte[] {'1', 0, 20, '/', 'h'},
        Hex.bytes("4f 42 4a 4d 09 00 13 00 64"), new byte[] {1, 2, 3}}) {
      try (RawClient c = RawClient.connect(sock)) {
        c.send(junk);
        c.shutdownOutput();
        c.drain();
        n++;
      } catch (IOException e) {
        n++; // the server may close before the shutdown
      }
    }
    return n;
  }
}
