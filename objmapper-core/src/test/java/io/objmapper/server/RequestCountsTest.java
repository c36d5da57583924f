package io.objmapper.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.objmapper.ObjectNotFoundException;
import io.objmapper.client.ObjMapperClient;
import io.objmapper.client.RemoteObject;
import io.objmapper.protocol.Mode;
import io.objmapper.protocol.Status;
import io.objmapper.server.RequestCounts.Transport;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link RequestCounts}: each answer counted once, by transport, version, mode and status. */
class RequestCountsTest {
  @TempDir Path dir;
  Path sock;
  ObjectServer server;

  @BeforeEach
  void start() throws Exception {
    Path root = Files.createDirectories(dir.resolve("objects"));
    Files.writeString(root.resolve("a"), "alpha");
    sock = dir.resolve("s.sock");
    server = ObjectServer.builder(new DirectoryHandler(root)).unixSocket(sock)
        .tcp(new InetSocketAddress("127.0.0.1", 0)).build().start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private int tcpPort() {
    return server.tcpAddress().getPort();
  }

  @Test
  void answersAreCountedByTransportVersionModeAndStatus() throws Exception {
    try (ObjMapperClient c = ObjMapperClient.unix(sock).version(1).connect()) {
      try (RemoteObject o = c.get("/a")) {
        assertThat(o.bytes()).hasSize(5);
      }
      try (RemoteObject o = c.get("/a")) {
        assertThat(o.bytes()).hasSize(5);
      }
    }
    try (ObjMapperClient c = ObjMapperClient.tcp("127.0.0.1", tcpPort()).connect()) {
      assertThatThrownBy(() -> c.get("/none", Mode.COPY)).isInstanceOf(ObjectNotFoundException.class);
    }
    try (RawClient raw = RawClient.connect(sock)) {
      raw.send(RawClient.v1(RawClient.COPY, "no-slash"));
      raw.readV1().assertError(Status.INVALID_REQUEST.code());
    }
    try (RawClient raw = RawClient.connect(sock)) {
      raw.send(RawClient.v1('9', "/a"));
      assertThat(raw.readV1().status()).isEqualTo(Status.INVALID_MODE.code());
    }

    RequestCounts counts = server.requestCounts();
    assertThat(counts.get(Transport.UNIX, 1, Mode.FDPASS, Status.OK)).isEqualTo(2);
    assertThat(counts.get(Transport.TCP, 2, Mode.COPY, Status.NOT_FOUND)).isEqualTo(1);
    assertThat(counts.get(Transport.UNIX, 1, Mode.COPY, Status.INVALID_REQUEST)).isEqualTo(1);
    assertThat(counts.get(Transport.UNIX, 1, null, Status.INVALID_MODE)).isEqualTo(1);
    List<String> seen = new ArrayList<>();
    counts.forEach((t, v, m, s, n) -> seen.add(t + " " + v + " " + m + " " + s + " " + n));
    assertThat(seen).containsExactlyInAnyOrder("UNIX 1 null INVALID_MODE 1", "UNIX 1 FDPASS OK 2",
        "UNIX 1 COPY INVALID_REQUEST 1", "TCP 2 COPY NOT_FOUND 1");
  }
}
