package io.objmapper.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.objmapper.ObjMapperException;
import io.objmapper.ObjectNotFoundException;
import io.objmapper.client.ObjMapperClient;
import io.objmapper.client.RemoteObject;
import io.objmapper.protocol.Mode;
import io.objmapper.protocol.Status;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerClientTest {
  @TempDir Path dir;
  Path root;
  Path sock;
  ObjectServer server;

  @BeforeEach
  void start() throws Exception {
    root = Files.createDirectories(dir.resolve("objects"));
    Files.writeString(root.resolve("hello.txt"), "hello world");
    Files.createDirectories(root.resolve("a/b"));
    Files.writeString(root.resolve("a/b/c.txt"), "nested");
    Files.write(root.resolve("empty"), new byte[0]);
    sock = dir.resolve("s.sock");
    server = ObjectServer.builder(new DirectoryHandler(root))
        .unixSocket(sock)
        .tcp(new InetSocketAddress("127.0.0.1", 0))
        .build()
        .start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void v1FdPassGivesAReadOnlyDescriptorOfTheObject() throws Exception {
    try (ObjMapperClient c = ObjMapperClient.unix(sock).version(1).connect();
        RemoteObject o = c.get("/hello.txt")) {
      assertThat(o.hasDescriptor()).isTrue();
      assertThat(new String(o.bytes(), StandardCharsets.UTF_8)).isEqualTo("hello world");
      assertThat(o.metadata().size()).hasValue(11);
      assertThatThrownBy(() -> o.channel().write(ByteBuffer.wrap(new byte[1])))
          .isInstanceOf(java.nio.channels.NonWritableChannelException.class);
    }
  }

  @Test
  void v2FdPassDescriptorStaysValidAfterTheClientCloses() throws Exception {
    RemoteObject o;
    try (ObjMapperClient c = ObjMapperClient.unix(sock).connect()) {
      o = c.get("/a/b/c.txt");
    }
    try (o) {
      assertThat(new String(o.bytes(), StandardCharsets.UTF_8)).isEqualTo("nested");
    }
  }

  @Test
  void copyModeStreamsTheContent() throws Exception {
    try (ObjMapperClient c = ObjMapperClient.unix(sock).connect();
        RemoteObject o = c.get("/hello.txt", Mode.COPY)) {
      assertThat(o.hasDescriptor()).isFalse();
      assertThat(new String(o.bytes(), StandardCharsets.UTF_8)).isEqualTo("hello world");
    }
  }

  @Test
  void copyModeOfAnEmptyObjectIsAnEmptyBody() throws Exception {
    try (ObjMapperClient c = ObjMapperClient.unix(sock).connect();
        RemoteObject o = c.get("/empty", Mode.COPY)) {
      assertThat(o.bytes()).isEmpty();
      assertThat(c.get("/hello.txt", Mode.COPY).bytes()).hasSize(11);
    }
  }

  @Test
  void missingObjectIsNotFound() throws Exception {
    try (ObjMapperClient c = ObjMapperClient.unix(sock).connect()) {
      assertThatThrownBy(() -> c.get("/nope")).isInstanceOf(ObjectNotFoundException.class);
      assertThat(c.get("/hello.txt").size()).isEqualTo(11);
    }
  }

  @Test
  void pathTraversalIsAnInvalidRequest() throws Exception {
    Files.writeString(dir.resolve("secret"), "secret");
    try (ObjMapperClient c = ObjMapperClient.unix(sock).connect()) {
      assertThatThrownBy(() -> c.get("/../secret"))
          .isInstanceOfSatisfying(ObjMapperException.class, e -> assertThat(e.status()).isEqualTo(Status.INVALID_REQUEST));
    }
  }

  @Test
  void tcpServesCopyAndRefusesDescriptorPassing() throws Exception {
    InetSocketAddress a = server.tcpAddress();
    try (ObjMapperClient c = ObjMapperClient.tcp(a.getHostString(), a.getPort()).connect()) {
      assertThat(new String(c.get("/hello.txt").bytes(), StandardCharsets.UTF_8)).isEqualTo("hello world");
      assertThatThrownBy(() -> c.get("/hello.txt", Mode.FDPASS))
          .isInstanceOfSatisfying(ObjMapperException.class, e -> assertThat(e.status()).isEqualTo(Status.UNSUPPORTED_OP));
    }
  }

  @Test
  void segmentedModeSendsOneDescriptorSegment() throws Exception {
    try (ObjMapperClient c = ObjMapperClient.unix(sock).connect();
        RemoteObject o = c.get("/hello.txt", Mode.SEGMENTED)) {
      assertThat(o.segments()).hasSize(1);
      assertThat(new String(o.bytes(), StandardCharsets.UTF_8)).isEqualTo("hello world");
    }
  }

  @Test
  void socketFileHasTheConfiguredPermissions() throws Exception {
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(sock))).isEqualTo("rw-rw----");
  }

  @Test
  void aFileDatedBefore1970IsServedWithMtimeZero() throws Exception {
    Path old = root.resolve("old.txt");
    Files.writeString(old, "old");
    Files.setLastModifiedTime(old, java.nio.file.attribute.FileTime.fromMillis(-315_619_200_000L));
    try (ObjMapperClient c = ObjMapperClient.unix(sock).connect();
        RemoteObject o = c.get("/old.txt")) {
      assertThat(o.metadata().mtimeSeconds()).hasValue(0);
      assertThat(c.get("/hello.txt").size()).isEqualTo(11); // the connection is still usable
    }
  }

  @Test
  void aBadRequestArgumentCostsNoPipelineSlot() throws Exception {
    try (ObjMapperClient c = ObjMapperClient.unix(sock).maxPipeline(1).connect()) {
      assertThatThrownBy(() -> c.getAsync("/hello.txt", Mode.FDPASS, null))
          .isInstanceOf(NullPointerException.class);
      assertThatThrownBy(() -> c.getAsync("/" + "x".repeat(5000), Mode.FDPASS))
          .isInstanceOf(IllegalArgumentException.class);
      try (RemoteObject o = c.getAsync("/hello.txt", Mode.FDPASS).get(30, java.util.concurrent.TimeUnit.SECONDS)) {
        assertThat(o.size()).isEqualTo(11);
      }
    }
  }

  @Test
  void aBlockingCallFromACallbackFailsInsteadOfWaitingForItself() throws Exception {
    java.util.concurrent.CountDownLatch gate = new java.util.concurrent.CountDownLatch(1);
    DirectoryHandler files = new DirectoryHandler(root);
    RequestHandler gated = new RequestHandler() {
      @Override
      public ServedObject acquire(String uri) {
        try {
          gate.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return files.acquire(uri);
      }

      @Override
      public boolean mayBlock(String uri) {
        return true;
      }
    };
    Path gatedSock = dir.resolve("g.sock");
    try (ObjectServer s = ObjectServer.builder(gated).unixSocket(gatedSock).build().start();
        ObjMapperClient c = ObjMapperClient.unix(gatedSock).connect()) {
      // The answer cannot arrive before the callback is attached: it runs on the reader thread.
      java.util.concurrent.CompletableFuture<Long> nested = c.getAsync("/hello.txt", Mode.FDPASS)
          .thenApply(o -> {
            o.close();
            try {
              return c.get("/a/b/c.txt").size();
            } catch (java.io.IOException e) {
              throw new java.io.UncheckedIOException(e);
            }
          });
      gate.countDown();
      assertThatThrownBy(() -> nested.get(30, java.util.concurrent.TimeUnit.SECONDS))
          .hasCauseInstanceOf(IllegalStateException.class);
      assertThat(c.get("/a/b/c.txt").size()).isEqualTo(6); // the client still works
    }
  }
}
