package io.objmapper.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.objmapper.ErrorCode;
import io.objmapper.ObjMapper;
import io.objmapper.ObjectNotFoundException;
import io.objmapper.protocol.Status;
import io.objmapper.spi.TierConfig;
import io.objmapper.spi.TierFlag;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How a server serves a store: {@link StoreHandler}, and the wire status of each {@link ErrorCode}. */
class StoreHandlerTest {
  @TempDir Path dir;

  private ObjMapper store() throws Exception {
    Path root = Files.createDirectories(dir.resolve("disk"));
    return ObjMapper.builder().tier(TierConfig.builder().name("disk").type("fs").root(root)
        .flags(TierFlag.PERSISTENT, TierFlag.READABLE, TierFlag.WRITABLE).build()).build();
  }

  @Test
  void theConfigurationFilesServerSettingsReachTheServerBuiltForItsStore() throws Exception {
    Path root = Files.createDirectories(dir.resolve("d"));
    Path conf = Files.writeString(dir.resolve("c.conf"), """
        {"backends": [{"name": "d", "type": "fs", "mount_path": "%s"}],
         "server": {"max_pending_puts": 3, "max_connections_per_peer": 7, "idle_spin_us": 0}}
        """.formatted(root));
    try (ObjMapper store = ObjMapper.builder().configFile(conf).build();
         ObjectServer server = ObjectServer.builder(store).unixSocket(dir.resolve("s.sock")).build()) {
      assertThat(server.maxPendingPuts).isEqualTo(3);
      assertThat(server.pendingPuts.availablePermits()).isEqualTo(3);
      assertThat(server.idleSpinNanos).as("idle_spin_us 0: the I/O threads never spin").isZero();
    }
    try (ObjMapper store = store();
         ObjectServer server = ObjectServer.builder(store).unixSocket(dir.resolve("t.sock")).build()) {
      assertThat(server.idleSpinNanos).as("the default")
          .isEqualTo(ObjectServer.DEFAULT_IDLE_SPIN_MICROS * 1000L).isEqualTo(20_000);
    }
  }

  @Test
  void aCachedObjectIsServedThroughOneViewPerDescriptor() throws Exception {
    try (ObjMapper store = store()) {
      store.put("/a", new byte[] {1, 2, 3});
      RequestHandler handler = StoreHandler.of(store);
      ServedObject first = handler.acquire("/a");
      ServedObject second = handler.acquire("/a");
      assertThat(second).as("no object made per request").isSameAs(first);
      assertThat(first.size()).isEqualTo(3);
      assertThat(first.tierId()).isZero();
      assertThat(first.descriptor().valid()).isTrue();
      first.release();
      second.release();
      assertThat(handler.mayBlock("/a")).isFalse();
      assertThat(handler.mayBlock("/never-opened")).isTrue();
    }
  }

  @Test
  void missingObjectsAreNotFoundForReadAndDelete() throws Exception {
    try (ObjMapper store = store()) {
      RequestHandler handler = StoreHandler.of(store);
      assertThatThrownBy(() -> handler.acquire("/absent")).isInstanceOf(ObjectNotFoundException.class);
      assertThatThrownBy(() -> handler.delete("/absent")).isInstanceOf(ObjectNotFoundException.class);
    }
  }

  @Test
  void writeModeCreatesTheObjectEmpty() throws Exception {
    try (ObjMapper store = store()) {
      ServedObject w = StoreHandler.of(store).acquireWritable("/new");
      try {
        assertThat(w.size()).isZero();
        assertThat(w.tierId()).isZero();
      } finally {
        w.release();
      }
      assertThat(store.exists("/new")).isTrue();
    }
  }

  @Test
  void aStoreNotBuiltByTheBuilderIsRefusedWithATypedException() {
    ObjMapper foreign = (ObjMapper) Proxy.newProxyInstance(ObjMapper.class.getClassLoader(),
        new Class<?>[] {ObjMapper.class}, (proxy, method, args) -> null);
    assertThatThrownBy(() -> ObjectServer.builder(foreign)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ObjMapper.builder()");
    assertThatThrownBy(() -> StoreHandler.of(null)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void everyErrorCodeIsAnsweredWithTheStatusOfItsNameAndEveryErrorStatusHasACode() {
    for (ErrorCode c : ErrorCode.values()) {
      assertThat(WireStatus.of(c).name()).isEqualTo(c.name());
      assertThat(WireStatus.of(c)).isNotEqualTo(Status.OK);
    }
    assertThat(Arrays.stream(Status.values()).filter(s -> s != Status.OK).map(Status::name))
        .containsExactlyInAnyOrderElementsOf(Arrays.stream(ErrorCode.values()).map(ErrorCode::name).toList());
  }
}
