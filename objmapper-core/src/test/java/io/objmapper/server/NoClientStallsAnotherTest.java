package io.objmapper.server;

import static io.objmapper.server.RawClient.COPY;
import static io.objmapper.server.RawClient.FDPASS;
import static io.objmapper.server.RawClient.v1;
import static io.objmapper.server.RawClient.v2;
import static org.assertj.core.api.Assertions.assertThat;

import io.objmapper.client.ObjMapperClient;
import io.objmapper.client.RemoteObject;
import io.objmapper.protocol.Mode;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Idle connections, clients that never read their answers and clients over a limit cost the
 * others nothing: one I/O thread serves every connection here, so anything that blocked it
 * would show as an answer that never comes.
 */
@Timeout(120)
class NoClientStallsAnotherTest {
  @TempDir Path dir;
  Path sock;
  GatedHandler handler;
  ObjectServer server;
  final List<AutoCloseable> open = new ArrayList<>();

  private void start(UnaryOperator<ObjectServer.Builder> settings) throws Exception {
    handler = new GatedHandler(TestObjects.create(dir));
    handler.openGate(); // /slow objects go through the backend workers without waiting
    sock = dir.resolve("s.sock");
    server = settings.apply(ObjectServer.builder(handler).unixSocket(sock).tcp(new InetSocketAddress("127.0.0.1", 0))
        .ioThreads(1).parallelism(1)).build().start();
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
    if (server != null) {
      server.close();
    }
  }

  private <T extends AutoCloseable> T keep(T c) {
    open.add(c);
    return c;
  }

  private Socket tcpSocket() throws Exception {
    InetSocketAddress a = server.tcpAddress();
    return keep(new Socket(a.getHostString(), a.getPort()));
  }

  private static void await(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime() < deadline).as(what).isTrue();
      Thread.yield();
    }
  }

  /** A polite client gets its answers: descriptors on Unix (V1 and V2, through a worker too), content on TCP. */
  private void politeClientsAreServed() throws Exception {
    try (ObjMapperClient c = ObjMapperClient.unix(sock).version(1).connect()) {
      try (RemoteObject o = c.get("/hello.txt")) {
        assertThat(o.size()).isEqualTo(TestObjects.HELLO.length());
      }
    }
    try (ObjMapperClient c = ObjMapperClient.unix(sock).connect()) {
      for (RemoteObject o : c.getAll(List.of("/slow2", "/hello.txt", "/slow3"), Mode.FDPASS)) {
        o.close();
      }
    }
    InetSocketAddress a = server.tcpAddress();
    try (ObjMapperClient c = ObjMapperClient.tcp(a.getHostString(), a.getPort()).connect();
        RemoteObject o = c.get("/a/b/c.txt", Mode.COPY)) {
      assertThat(o.bytes()).hasSize(6);
    }
  }

  @Test
  void hundredsOfIdleConnectionsOnBothTransportsLeaveRoomForOthers() throws Exception {
    start(b -> b);
    for (int i = 0; i < 200; i++) {
      keep(RawClient.connect(sock));
      tcpSocket();
    }
    await("400 idle connections accepted", () -> server.connectionCount() == 400);
    politeClientsAreServed();
    // and the idle ones are connections like any other: the first and the last are served
    RawClient first = (RawClient) open.get(0);
    RawClient last = (RawClient) open.get(open.size() - 2);
    for (RawClient c : List.of(first, last)) {
      c.send(v1(FDPASS, "/hello.txt"));
      assertThat(c.readV1().status()).isZero();
      java.io.FileDescriptor fd = c.readDescriptor();
      assertThat(fd.valid()).isTrue();
      new java.io.FileInputStream(fd).close();
    }
    assertThat(server.refusedCount()).isZero();
  }

  @Test
  void aV2ClientPipeliningRequestsItNeverReadsHoldsBackNobody() throws Exception {
    start(b -> b.writeTimeoutMillis(0));
    RawClient staller = keep(RawClient.v2(sock, 0x13, 100));
    List<byte[]> reqs = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      reqs.add(v2(i, 0, COPY, i % 2 == 0 ? "/big.bin" : "/slow1"));
    }
    staller.send(reqs.toArray(new byte[0][]));
    await("the staller's answers wait for it", () -> server.connectionsWaitingForReader() == 1);
    politeClientsAreServed();
    assertThat(server.connectionsWaitingForReader()).as("still waiting: never closed without a write timeout").isEqualTo(1);
  }

  @Test
  void v1ClientsThatNeverReadHoldBackNobodyOnEitherTransport() throws Exception {
    start(b -> b.writeTimeoutMillis(0));
    RawClient unixStaller = keep(RawClient.connect(sock));
    for (int i = 0; i < 20; i++) {
      unixStaller.send(v1(COPY, "/big.bin"));
    }
    OutputStream tcpStaller = tcpSocket().getOutputStream();
    for (int i = 0; i < 20; i++) {
      tcpStaller.write(v1(COPY, "/big.bin"));
    }
    tcpStaller.flush();
    await("both stallers' answers wait for them", () -> server.connectionsWaitingForReader() == 2);
    politeClientsAreServed();
  }

  @Test
  void aClientThatReadsNothingForTheWriteTimeoutIsClosedAndItsObjectsReleased() throws Exception {
    start(b -> b.writeTimeoutMillis(200));
    RawClient staller = keep(RawClient.v2(sock, 0x13, 100));
    List<byte[]> reqs = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      reqs.add(v2(i, 0, COPY, i % 2 == 0 ? "/big.bin" : "/slow1"));
    }
    staller.send(reqs.toArray(new byte[0][]));
    await("closed by the write timeout", () -> server.writeTimeoutCount() == 1);
    await("no connection left", () -> server.connectionCount() == 0);
    await("every object released", () -> handler.outstanding() == 0);
    assertThat(server.connectionsWaitingForReader()).isZero();
    politeClientsAreServed();
  }

  @Test
  void aConnectionOverThePerPeerLimitIsClosedAndTcpIsCountedApart() throws Exception {
    start(b -> b.maxConnectionsPerPeer(2));
    RawClient a = keep(RawClient.connect(sock));
    RawClient b = keep(RawClient.connect(sock));
    await("two Unix connections", () -> server.connectionCount() == 2);
    try (RawClient third = RawClient.connect(sock)) {
      assertThat(third.atEof()).as("the third connection of this uid is closed").isTrue();
    }
    Socket t1 = tcpSocket();
    Socket t2 = tcpSocket();
    await("and two TCP ones besides", () -> server.connectionCount() == 4);
    try (Socket t3 = new Socket(server.tcpAddress().getHostString(), server.tcpAddress().getPort())) {
      assertThat(t3.getInputStream().read()).as("the third connection from this address is closed").isEqualTo(-1);
    }
    assertThat(server.refusedCount()).isEqualTo(2);
    a.send(v1(FDPASS, "/hello.txt"));
    assertThat(a.readV1().status()).isZero();
    t1.getOutputStream().write(v1(COPY, "/hello.txt"));
    InputStream in = t1.getInputStream();
    assertThat(in.readNBytes(11)[0]).as("status").isZero();
    b.close();
    t2.close();
    await("a slot freed", () -> server.connectionCount() == 2);
    try (ObjMapperClient c = ObjMapperClient.unix(sock).connect(); RemoteObject o = c.get("/hello.txt")) {
      assertThat(o.size()).isEqualTo(TestObjects.HELLO.length());
    }
  }

  @Test
  void aConnectionOverTheTotalLimitIsClosedAndOneIsAcceptedOnceASlotFrees() throws Exception {
    start(b -> b.maxConnections(3));
    List<RawClient> conns = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      conns.add(keep(RawClient.connect(sock)));
    }
    await("three connections", () -> server.connectionCount() == 3);
    try (RawClient extra = RawClient.connect(sock)) {
      assertThat(extra.atEof()).isTrue();
    }
    conns.get(0).close();
    await("a slot freed", () -> server.connectionCount() == 2);
    try (ObjMapperClient c = ObjMapperClient.unix(sock).connect(); RemoteObject o = c.get("/hello.txt")) {
      assertThat(o.size()).isEqualTo(TestObjects.HELLO.length());
    }
  }
}
