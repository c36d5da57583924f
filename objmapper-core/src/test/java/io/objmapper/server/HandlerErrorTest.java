package io.objmapper.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.objmapper.ObjMapperException;
import io.objmapper.client.ObjMapperClient;
import io.objmapper.client.RemoteObject;
import io.objmapper.protocol.Status;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A handler that throws an {@link Error} (as an access to a mapped file cut short does in
 * compiled code: {@code InternalError}) gets its request answered INTERNAL_ERROR with an ERROR
 * text, and the thread that ran it, a backend worker or an I/O thread, goes on serving.
 */
@Timeout(60)
class HandlerErrorTest {
  @TempDir
  Path dir;

  @Test
  void anErrorFromTheHandlerIsAnsweredAndTheWorkerAndTheIoThreadLiveOn() throws Exception {
    Path root = Files.createDirectories(dir.resolve("objects"));
    Files.writeString(root.resolve("hello.txt"), "hello world");
    DirectoryHandler files = new DirectoryHandler(root);
    List<Thread> workers = new CopyOnWriteArrayList<>();
    RequestHandler faulting = new RequestHandler() {
      @Override
      public ServedObject acquire(String uri) {
        if (uri.startsWith("/worker/")) {
          workers.add(Thread.currentThread());
        }
        if (uri.endsWith("/fault")) {
          throw new InternalError("a fault occurred in a recent unsafe memory access operation in compiled Java code");
        }
        if (uri.endsWith("/overflow")) {
          throw new StackOverflowError();
        }
        return files.acquire(uri.substring(uri.indexOf('/', 1)));
      }

      @Override
      public boolean mayBlock(String uri) {
        return uri.startsWith("/worker/");
      }
    };
    Path sock = dir.resolve("s.sock");
    try (ObjectServer server = ObjectServer.builder(faulting).unixSocket(sock).parallelism(1).build().start();
        ObjMapperClient c = ObjMapperClient.unix(sock).connect()) {
      for (int i = 0; i < 3; i++) { // more failures than workers
        assertInternalError(catchThrowable(() -> c.get("/worker/fault")));
        assertInternalError(catchThrowable(() -> c.get("/worker/overflow")));
        assertInternalError(catchThrowable(() -> c.get("/io/fault")));
      }
      try (RemoteObject o = c.get("/worker/hello.txt")) {
        assertThat(new String(o.bytes(), StandardCharsets.UTF_8)).isEqualTo("hello world");
      }
      try (RemoteObject o = c.get("/io/hello.txt")) {
        assertThat(new String(o.bytes(), StandardCharsets.UTF_8)).isEqualTo("hello world");
      }
      assertThat(workers).hasSize(7);
      assertThat(workers).as("the one worker that ran every request, the failed ones first").containsOnly(workers.get(0));
      assertThat(workers.get(0).isAlive()).isTrue();
    }
  }

  private static void assertInternalError(Throwable t) {
    assertThat(t).isInstanceOf(ObjMapperException.class).hasMessageContaining("internal error");
    assertThat(Status.valueOf(((ObjMapperException) t).code().name())).isEqualTo(Status.INTERNAL_ERROR);
  }
}
