package io.objmapper.server;

import static io.objmapper.server.RawClient.FDPASS;
import static io.objmapper.server.RawClient.v1;
import static io.objmapper.server.RawClient.v2;
import static org.assertj.core.api.Assertions.assertThat;

import io.objmapper.server.RawClient.Frame;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pipelined V2 requests: a slow object (its acquire waits on a gate) must not hold back a
 * fast one when out-of-order replies were negotiated, and must when they were not or when
 * the fast request says ORDERED.
 */
@Timeout(60)
class PipeliningAndOrderingTest {
  private static final int ALL = 0x13;
  private static final int NO_OOO = 0x12;
  private static final int ORDERED = 0x01;
  private static final long SLOW1_SIZE = "slow object 1".length();

  @TempDir Path dir;
  Path sock;
  GatedHandler handler;
  ObjectServer server;

  @BeforeEach
  void setUp() throws Exception {
    handler = new GatedHandler(TestObjects.create(dir));
    sock = dir.resolve("s.sock");
  }

  @AfterEach
  void tearDown() {
    handler.openGate();
    if (server != null) {
      server.close();
    }
  }

  private void start(Consumer<ObjectServer.Builder> config) throws Exception {
    ObjectServer.Builder b = ObjectServer.builder(handler).unixSocket(sock);
    config.accept(b);
    server = b.build().start();
  }

  private static Frame expectObject(RawClient c, Frame f, long id, long size) throws Exception {
    assertThat(f.id()).as("id of %s", f).isEqualTo(id);
    assertThat(f.status()).as("status of %s", f).isZero();
    assertThat(f.u64(0x01)).isEqualTo(size);
    Fds.close(c.readDescriptor());
    return f;
  }

  private void awaitSlowEntered(int n) throws InterruptedException {
    assertThat(handler.slowEntered.tryAcquire(n, 30, TimeUnit.SECONDS)).as("slow acquires started").isTrue();
  }

  @Test
  void withOutOfOrderRepliesAFastObjectOvertakesASlowOne() throws Exception {
    start(b -> {});
    handler.openGateOnReleaseOf("/hello.txt"); // the slow one finishes only after the fast one was sent
    try (RawClient c = RawClient.v2(sock, ALL, 100)) {
      c.send(v2(1, 0, FDPASS, "/slow1"), v2(2, 0, FDPASS, "/hello.txt"));
      expectObject(c, c.readV2(), 2, TestObjects.HELLO.length());
      expectObject(c, c.readV2(), 1, SLOW1_SIZE);
    }
  }

  @Test
  void withoutOutOfOrderRepliesAnswersKeepTheRequestOrder() throws Exception {
    start(b -> {});
    try (RawClient c = RawClient.v2(sock, NO_OOO, 100)) {
      c.send(v2(1, 0, FDPASS, "/slow1"), v2(2, 0, FDPASS, "/hello.txt"));
      awaitSlowEntered(1);
      handler.openGate();
      expectObject(c, c.readV2(), 1, SLOW1_SIZE);
      expectObject(c, c.readV2(), 2, TestObjects.HELLO.length());
    }
  }

  @Test
  void whenTheServerDoesNotOfferOutOfOrderRepliesAnswersKeepTheRequestOrder() throws Exception {
    start(b -> b.capabilities(NO_OOO));
    try (RawClient c = RawClient.v2(sock, ALL, 100)) {
      c.send(v2(1, 0, FDPASS, "/slow1"), v2(2, 0, FDPASS, "/hello.txt"));
      awaitSlowEntered(1);
      handler.openGate();
      expectObject(c, c.readV2(), 1, SLOW1_SIZE);
      expectObject(c, c.readV2(), 2, TestObjects.HELLO.length());
    }
  }

  @Test
  void anOrderedRequestDoesNotOvertakeEarlierOnes() throws Exception {
    start(b -> {});
    try (RawClient c = RawClient.v2(sock, ALL, 100)) {
      c.send(v2(1, 0, FDPASS, "/slow1"), v2(2, ORDERED, FDPASS, "/hello.txt"));
      awaitSlowEntered(1);
      handler.openGate();
      expectObject(c, c.readV2(), 1, SLOW1_SIZE);
      expectObject(c, c.readV2(), 2, TestObjects.HELLO.length());
    }
  }

  @Test
  void v1AnswersInRequestOrderEvenWhenTheHandlerMayBlock() throws Exception {
    start(b -> {});
    try (RawClient c = RawClient.connect(sock)) {
      c.send(v1(FDPASS, "/slow1"), v1(FDPASS, "/hello.txt"));
      awaitSlowEntered(1);
      handler.openGate();
      expectObject(c, c.readV1(), 0, SLOW1_SIZE);
      expectObject(c, c.readV1(), 0, TestObjects.HELLO.length());
    }
  }

  @Test
  void aSlowRequestThatFailsIsAnsweredWithItsErrorAndId() throws Exception {
    start(b -> {});
    handler.openGate();
    try (RawClient c = RawClient.v2(sock, ALL, 100)) {
      c.send(v2(9, 0, FDPASS, "/slow-missing"), v2(10, 0, FDPASS, "/hello.txt"));
      Set<Long> ids = new HashSet<>();
      for (int i = 0; i < 2; i++) {
        Frame f = c.readV2();
        ids.add(f.id());
        if (f.id() == 9) {
          f.assertError(0x01);
        } else {
          expectObject(c, f, 10, TestObjects.HELLO.length());
        }
      }
      assertThat(ids).containsExactlyInAnyOrder(9L, 10L);
    }
  }

  @Test
  void aRequestNotServedInTimeIsTimeoutTheConnectionGoesOnAndTheLateObjectIsReleased() throws Exception {
    start(b -> b.requestTimeoutMillis(50));
    try (RawClient c = RawClient.v2(sock, ALL, 100)) {
      c.send(v2(1, 0, FDPASS, "/slow1"));
      assertThat(c.readV2().assertError(0x13).id()).isEqualTo(1);
      c.send(v2(2, 0, FDPASS, "/hello.txt"));
      expectObject(c, c.readV2(), 2, TestObjects.HELLO.length());
      handler.openGate();
      assertThat(handler.releases.tryAcquire(2, 30, TimeUnit.SECONDS)).as("both objects released").isTrue();
      assertThat(handler.acquired.get()).isEqualTo(2);
      assertThat(handler.released.get()).isEqualTo(2);
      // the late answer to request 1 was dropped: the next frame answers request 3
      c.send(v2(3, 0, FDPASS, "/hello.txt"));
      expectObject(c, c.readV2(), 3, TestObjects.HELLO.length());
    }
  }

  @Test
  void exceedingTheNegotiatedPipelineDepthIsProtocolErrorForTheExtraRequest() throws Exception {
    start(b -> b.parallelism(4));
    try (RawClient c = RawClient.v2(sock, ALL, 2)) {
      c.send(v2(1, 0, FDPASS, "/slow1"), v2(2, 0, FDPASS, "/slow2"), v2(3, 0, FDPASS, "/slow3"));
      assertThat(c.readV2().assertError(0x20).id()).isEqualTo(3);
      awaitSlowEntered(2);
      handler.openGate();
      Set<Long> ids = new HashSet<>();
      for (int i = 0; i < 2; i++) {
        Frame f = c.readV2();
        ids.add(f.id());
        expectObject(c, f, f.id(), ("slow object " + f.id()).length());
      }
      assertThat(ids).containsExactlyInAnyOrder(1L, 2L);
      c.send(v2(4, 0, FDPASS, "/hello.txt"));
      expectObject(c, c.readV2(), 4, TestObjects.HELLO.length());
    }
  }

  @Test
  void closeWithARequestInFlightDeliversItsAnswerBeforeCloseAck() throws Exception {
    start(b -> {});
    try (RawClient c = RawClient.v2(sock, ALL, 100)) {
      c.send(v2(5, 0, FDPASS, "/slow1"), RawClient.close(0));
      awaitSlowEntered(1);
      handler.openGate();
      expectObject(c, c.readV2(), 5, SLOW1_SIZE);
      Frame ack = c.readV2();
      assertThat(ack.type()).isEqualTo(Frame.CLOSE_ACK);
      // outstanding: the request still owed when CLOSE was read (1), or 0 if it was answered first
      assertThat(ack.contentLength()).isBetween(0L, 1L);
      assertThat(c.atEof()).isTrue();
    }
  }

  @Test
  void manyPipelinedRequestsAreEachAnsweredOnceWithTheirOwnId() throws Exception {
    start(b -> {});
    handler.openGate();
    try (RawClient c = RawClient.v2(sock, ALL, 100)) {
      byte[][] reqs = new byte[100][];
      for (int i = 0; i < reqs.length; i++) {
        String uri = i % 3 == 0 ? "/slow" + (1 + i % 2) : i % 3 == 1 ? "/hello.txt" : "/missing";
        reqs[i] = v2(1000 + i, 0, FDPASS, uri);
      }
      c.send(reqs);
      Set<Long> ids = new HashSet<>();
      for (int i = 0; i < reqs.length; i++) {
        Frame f = c.readV2();
        assertThat(ids.add(f.id())).as("first answer to %s", f.id()).isTrue();
        int kind = (int) (f.id() - 1000) % 3;
        if (kind == 2) {
          f.assertError(0x01);
        } else {
          String uri = kind == 0 ? "/slow" + (1 + (f.id() - 1000) % 2) : "/hello.txt";
          long size = kind == 0 ? ("slow object " + uri.substring(5)).getBytes(StandardCharsets.UTF_8).length
              : TestObjects.HELLO.length();
          expectObject(c, f, f.id(), size);
        }
      }
      assertThat(ids).hasSize(reqs.length);
    }
  }

  /**
   * Answers to the requests of one read are held back and written together (IoLoop.BATCH of
   * them at a time): more requests than that, descriptors, COPY bodies and an error too long
   * to hold back, all in one write, still come in request order, each descriptor with its
   * own answer and each its own description.
   */
  @Test
  void answersHeldBackForOneReadKeepRequestOrderPastTheBatchSizeAndALongError() throws Exception {
    start(b -> {});
    handler.openGate();
    String longMissing = "/missing/" + "a".repeat(250) + "/" + "b".repeat(250) + "/" + "c".repeat(250);
    int n = 3 * IoLoop.BATCH + 5;
    try (RawClient c = RawClient.v2(sock, ALL, n)) {
      byte[][] reqs = new byte[n][];
      for (int i = 0; i < n; i++) {
        reqs[i] = switch (i % 4) {
          case 0 -> v2(i, 0, RawClient.COPY, "/hello.txt");
          case 1 -> v2(i, 0, FDPASS, "/hello.txt");
          case 2 -> v2(i, 0, FDPASS, longMissing);
          default -> v2(i, 0, FDPASS, "/missing");
        };
      }
      c.send(reqs);
      java.util.List<java.io.FileDescriptor> held = new java.util.ArrayList<>();
      try {
        for (int i = 0; i < n; i++) {
          Frame f = c.readV2();
          assertThat(f.id()).as("answer %d comes in request order", i).isEqualTo(i);
          switch (i % 4) {
            case 0 -> {
              assertThat(f.status()).isZero();
              assertThat(new String(c.read((int) f.contentLength()), StandardCharsets.UTF_8)).isEqualTo(TestObjects.HELLO);
            }
            case 1 -> {
              assertThat(f.status()).isZero();
              held.add(c.readDescriptor()); // kept open: each must still read from offset 0
            }
            case 2 -> assertThat(f.assertError(0x01).metadata().length).as("an error longer than a held-back slot")
                .isGreaterThan(IoLoop.SLOT_CAPACITY);
            default -> f.assertError(0x01);
          }
        }
        for (java.io.FileDescriptor fd : held) {
          try (java.io.FileInputStream in = new java.io.FileInputStream(fd)) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(TestObjects.HELLO);
          }
        }
      } finally {
        for (java.io.FileDescriptor fd : held) {
          if (fd.valid()) {
            Fds.close(fd);
          }
        }
      }
    }
  }

  @Test
  void v1RequestsSentTogetherAreAnsweredInOrder() throws Exception {
    start(b -> {});
    handler.openGate();
    try (RawClient c = RawClient.connect(sock)) {
      int n = IoLoop.BATCH + 3;
      byte[][] reqs = new byte[n][];
      for (int i = 0; i < n; i++) {
        reqs[i] = v1(i % 2 == 0 ? FDPASS : RawClient.COPY, i % 3 == 2 ? "/missing" : "/hello.txt");
      }
      c.send(reqs);
      for (int i = 0; i < n; i++) {
        Frame f = c.readV1();
        if (i % 3 == 2) {
          f.assertError(0x01);
        } else if (i % 2 == 0) {
          assertThat(f.status()).as("answer %d", i).isZero();
          Fds.close(c.readDescriptor());
        } else {
          assertThat(f.status()).as("answer %d", i).isZero();
          assertThat(new String(c.read((int) f.contentLength()), StandardCharsets.UTF_8)).isEqualTo(TestObjects.HELLO);
        }
      }
    }
  }
}
