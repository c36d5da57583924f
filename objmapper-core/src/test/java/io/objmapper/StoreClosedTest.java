package io.objmapper;

import static io.objmapper.TestStores.disk;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.objmapper.client.ObjMapperClient;
import io.objmapper.internal.serving.StoreAccess;
import io.objmapper.server.ObjectServer;
import java.nio.file.Path;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A closed store answers every call with {@link StoreClosedException} (UNAVAILABLE), and a
 * server still running on it answers UNAVAILABLE, not an internal error.
 */
class StoreClosedTest {
  @TempDir Path dir;

  @Test
  void everyCallOnAClosedStoreFailsWithStoreClosedException() throws Exception {
    ObjMapper store = ObjMapper.builder().tier(disk("disk", dir.resolve("disk"), 1.0)).build();
    store.put("/a", "x".getBytes(UTF_8));
    store.close();
    store.close(); // a second close does nothing
    List<ThrowingCallable> calls = List.of(
        () -> store.open("/a"),
        () -> store.put("/b", new byte[1]),
        () -> store.delete("/a"),
        () -> store.list("/"),
        () -> store.placement("/a"),
        () -> store.bulkPut(),
        () -> ((StoreAccess) store).stagePut("/c", 0));
    for (ThrowingCallable call : calls) {
      assertThatThrownBy(call).isInstanceOf(StoreClosedException.class)
          .satisfies(e -> assertThat(((ObjMapperException) e).code()).isEqualTo(ErrorCode.UNAVAILABLE))
          .hasMessage("the store is closed");
    }
  }

  @Test
  void aServerOnAClosedStoreAnswersUnavailable() throws Exception {
    ObjMapper store = ObjMapper.builder().tier(disk("disk", dir.resolve("disk"), 1.0)).build();
    store.put("/a", "x".getBytes(UTF_8));
    try (ObjectServer server = ObjectServer.builder(store).unixSocket(dir.resolve("s.sock")).build().start();
        ObjMapperClient c = ObjMapperClient.unix(dir.resolve("s.sock")).connect()) {
      store.close();
      for (String uri : List.of("/a", "/never")) {
        assertThatThrownBy(() -> c.get(uri).close()).as(uri).isInstanceOf(ObjMapperException.class)
            .satisfies(e -> assertThat(((ObjMapperException) e).code()).isEqualTo(ErrorCode.UNAVAILABLE));
      }
      assertThatThrownBy(() -> c.put("/b", new byte[3])).isInstanceOf(ObjMapperException.class)
          .satisfies(e -> assertThat(((ObjMapperException) e).code()).isEqualTo(ErrorCode.UNAVAILABLE));
    }
  }
}
