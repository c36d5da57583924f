package io.objmapper.server;

import static io.objmapper.server.RawClient.COPY;
import static io.objmapper.server.RawClient.FDPASS;
import static io.objmapper.server.RawClient.SEGMENTED;
import static io.objmapper.server.RawClient.v1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.objmapper.internal.net.AddressRange;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The UDP transport, driven by a plain {@link DatagramSocket} client on loopback. */
@Timeout(60)
class UdpTransportTest {
  @TempDir Path dir;
  Path root;
  GatedHandler handler;
  ObjectServer server;
  DatagramSocket client;

  @BeforeEach
  void start() throws Exception {
    root = TestObjects.create(dir);
    Files.write(root.resolve("fits.bin"), new byte[UdpServer.MAX_DATAGRAM - 11 - 22]);
    Files.write(root.resolve("one-too-many.bin"), new byte[UdpServer.MAX_DATAGRAM - 11 - 22 + 1]);
    handler = new GatedHandler(root);
    handler.openGate();
    server = ObjectServer.builder(handler).udp(new InetSocketAddress("127.0.0.1", 0)).build().start();
    client = new DatagramSocket();
    client.setSoTimeout(30_000); // only so that a lost datagram fails the test instead of hanging it
  }

  @AfterEach
  void stop() {
    client.close();
    server.close();
  }

  private ByteBuffer ask(byte[] request) throws IOException {
    client.send(new DatagramPacket(request, request.length, server.udpAddress()));
    byte[] buf = new byte[70_000];
    DatagramPacket p = new DatagramPacket(buf, buf.length);
    client.receive(p);
    return ByteBuffer.wrap(Arrays.copyOf(buf, p.getLength()));
  }

  private static String errorText(ByteBuffer answer) {
    int metaLen = answer.getShort(9) & 0xFFFF;
    assertThat(answer.getLong(1)).as("content_len of an error").isZero();
    assertThat(answer.get(11) & 0xFF).as("TLV type").isEqualTo(0xFF);
    int len = answer.getShort(12) & 0xFFFF;
    assertThat(metaLen).isEqualTo(3 + len);
    assertThat(answer.limit()).as("nothing after the error").isEqualTo(11 + metaLen);
    return new String(answer.array(), 14, len, StandardCharsets.UTF_8);
  }

  @Test
  void aCopyRequestGetsTheV1AnswerWithTheContentInOneDatagram() throws Exception {
    ByteBuffer a = ask(v1(COPY, "/hello.txt"));
    assertThat(a.get(0)).as("status").isZero();
    long size = TestObjects.HELLO.length();
    assertThat(a.getLong(1)).as("content_len").isEqualTo(size);
    int metaLen = a.getShort(9) & 0xFFFF;
    assertThat(metaLen).isEqualTo(22);
    assertThat(a.get(11)).as("SIZE TLV").isEqualTo((byte) 1);
    assertThat(a.getLong(14)).isEqualTo(size);
    assertThat(a.get(22)).as("MTIME TLV").isEqualTo((byte) 2);
    assertThat(a.getLong(25)).isEqualTo(TestObjects.mtimeSeconds(root.resolve("hello.txt")));
    assertThat(new String(a.array(), 11 + metaLen, (int) size, StandardCharsets.UTF_8)).isEqualTo(TestObjects.HELLO);
    assertThat(a.limit()).isEqualTo(11 + metaLen + (int) size);
  }

  @Test
  void anObjectThatFillsADatagramExactlyIsSentAndOneByteMoreIsRefusedNamingTcp() throws Exception {
    ByteBuffer fits = ask(v1(COPY, "/fits.bin"));
    assertThat(fits.get(0)).isZero();
    assertThat(fits.limit()).isEqualTo(UdpServer.MAX_DATAGRAM);
    ByteBuffer big = ask(v1(COPY, "/one-too-many.bin"));
    assertThat(big.get(0)).as("UNSUPPORTED_OP").isEqualTo((byte) 0x05);
    assertThat(errorText(big)).contains("does not fit a datagram").contains("use TCP or the Unix socket");
    ByteBuffer bigger = ask(v1(COPY, "/big.bin"));
    assertThat(errorText(bigger)).contains("300000 bytes");
  }

  @Test
  void aFileGrownInPlaceAfterItsSizeWasTakenIsSentToThatSizeOnly() throws Exception {
    Files.write(root.resolve("grows.bin"), new byte[] {1, 2, 3});
    ByteBuffer a = ask(v1(COPY, "/grows.bin"));
    assertThat(a.get(0)).isZero();
    assertThat(a.getLong(1)).as("content_len").isEqualTo(3);
    assertThat(a.limit()).as("the datagram holds content_len bytes, no more").isEqualTo(11 + 22 + 3);
    assertThat(Files.size(root.resolve("grows.bin"))).isEqualTo(103);
  }

  @Test
  void descriptorModesAnswerUnsupportedOp() throws Exception {
    for (int mode : new int[] {FDPASS, RawClient.SPLICE, SEGMENTED}) {
      ByteBuffer a = ask(v1(mode, "/hello.txt"));
      assertThat(a.get(0)).as("status for mode %c", mode).isEqualTo((byte) 0x05);
      assertThat(errorText(a)).contains("use COPY");
    }
  }

  @Test
  void badRequestsGetTheirStatus() throws Exception {
    assertThat(ask(v1(COPY, "/missing")).get(0)).as("NOT_FOUND").isEqualTo((byte) 0x01);
    assertThat(ask(v1(COPY, "/a/../hello.txt")).get(0)).as("INVALID_REQUEST").isEqualTo((byte) 0x02);
    assertThat(ask(new byte[] {'9', 0, 1, '/'}).get(0)).as("INVALID_MODE").isEqualTo((byte) 0x03);
    ByteBuffer cut = ask(new byte[] {'2', 0, 20, '/', 'h'});
    assertThat(cut.get(0)).as("INVALID_REQUEST").isEqualTo((byte) 0x02);
    assertThat(errorText(cut)).contains("one whole V1 request per datagram");
    byte[] two = concat(v1(COPY, "/hello.txt"), v1(COPY, "/hello.txt"));
    assertThat(errorText(ask(two))).contains("one V1 request per datagram");
    byte[] longUri = v1(COPY, "/" + "x".repeat(5000));
    assertThat(ask(longUri).get(0)).as("URI_TOO_LONG").isEqualTo((byte) 0x04);
    // and the server still answers
    assertThat(ask(v1(COPY, "/a/b/c.txt")).get(0)).isZero();
  }

  @Test
  void objectsThatMayBlockAreServedByAWorker() throws Exception {
    ByteBuffer a = ask(v1(COPY, "/slow1"));
    assertThat(a.get(0)).isZero();
    assertThat(new String(a.array(), 11 + 22, a.limit() - 33, StandardCharsets.UTF_8)).isEqualTo("slow object 1");
    long deadline = System.nanoTime() + 30_000_000_000L; // released just after the send
    while (handler.outstanding() > 0 && System.nanoTime() < deadline) {
      Thread.yield();
    }
    assertThat(handler.outstanding()).as("objects not released").isZero();
  }

  @Test
  void onlyLoopbackSourcesAreAdmittedUnlessAllowed() throws Exception {
    List<AddressRange> allowed = List.of(AddressRange.parse("10.1.0.0/16"),
        AddressRange.parse("192.0.2.7"), AddressRange.parse("fd00::/8"));
    assertThat(UdpServer.admits(InetAddress.getByName("127.0.0.1"), List.of())).as("loopback, always").isTrue();
    assertThat(UdpServer.admits(InetAddress.getByName("::1"), allowed)).isTrue();
    assertThat(UdpServer.admits(InetAddress.getByName("10.1.255.3"), allowed)).isTrue();
    assertThat(UdpServer.admits(InetAddress.getByName("10.2.0.1"), allowed)).isFalse();
    assertThat(UdpServer.admits(InetAddress.getByName("192.0.2.7"), allowed)).isTrue();
    assertThat(UdpServer.admits(InetAddress.getByName("192.0.2.8"), allowed)).isFalse();
    assertThat(UdpServer.admits(InetAddress.getByName("fd12::1"), allowed)).isTrue();
    assertThat(UdpServer.admits(InetAddress.getByName("2001:db8::1"), allowed)).isFalse();
  }

  @Test
  void anAllowListEntryThatIsNoAddressRangeIsRefused() {
    ObjectServer.Builder b = ObjectServer.builder(handler);
    assertThatThrownBy(() -> b.udpAllow(List.of("example.com"))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not an IP address");
    assertThatThrownBy(() -> b.udpAllow(List.of("10.0.0.0/33"))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("prefix length");
    assertThatThrownBy(() -> b.udpAnswersPerSecond(0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void answersToOneSourceAreRateLimitedAndRefillWithTime() throws Exception {
    AtomicLong now = new AtomicLong(1_000_000_000L);
    UdpServer.RateLimiter limiter = new UdpServer.RateLimiter(5, now::get);
    InetAddress a = InetAddress.getByName("192.0.2.1");
    InetAddress b = InetAddress.getByName("192.0.2.2");
    for (int i = 0; i < 5; i++) {
      assertThat(limiter.tryAcquire(a)).as("burst answer %d", i).isTrue();
    }
    assertThat(limiter.tryAcquire(a)).as("over the rate").isFalse();
    assertThat(limiter.tryAcquire(b)).as("another source has its own bucket").isTrue();
    now.addAndGet(200_000_000L); // 0.2 s: one answer's worth at 5/s
    assertThat(limiter.tryAcquire(a)).isTrue();
    assertThat(limiter.tryAcquire(a)).isFalse();
  }

  private static byte[] concat(byte[] x, byte[] y) {
    byte[] r = Arrays.copyOf(x, x.length + y.length);
    System.arraycopy(y, 0, r, x.length, y.length);
    return r;
  }
}
