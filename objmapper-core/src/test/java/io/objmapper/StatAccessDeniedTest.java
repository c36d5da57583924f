package io.objmapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.objmapper.client.ObjMapperClient;
import io.objmapper.client.RemoteObject;
import io.objmapper.server.ObjectServer;
import io.objmapper.spi.ObjectStat;
import io.objmapper.spi.Tier;
import io.objmapper.spi.TierProviders;
import io.objmapper.testing.ForwardingTier;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tier that refuses to stat an object (EACCES) does not make the object missing: the
 * store answers STORAGE_ERROR (a {@link StorageException}), in process and on the wire, and
 * other objects are served as before. (Root is not refused by file modes, so the refusal
 * comes from a tier that throws what a refused stat throws.)
 */
class StatAccessDeniedTest {
  private static final String DENIED = "/denied";

  @TempDir Path dir;

  private ObjMapper store() throws IOException {
    ObjMapper store = ObjMapper.builder().providers(TierProviders.of(ForwardingTier.wrappingFs(RefusingTier::new)))
        .tier(TestStores.disk("disk", dir.resolve("disk"), 3.0)).build();
    Files.writeString(dir.resolve("disk/denied"), "behind the index"); // the lookup asks the tier
    store.put("/fine", new byte[] {1, 2, 3});
    return store;
  }

  @Test
  void statAndOpenOfARefusedObjectAreStorageErrorsNotNotFound() throws Exception {
    try (ObjMapper store = store()) {
      assertThatThrownBy(() -> store.stat(DENIED)).isInstanceOf(StorageException.class)
          .isNotInstanceOf(ObjectNotFoundException.class).hasMessageContaining("permission denied")
          .satisfies(e -> assertThat(((ObjMapperException) e).code()).isEqualTo(ErrorCode.STORAGE_ERROR));
      assertThatThrownBy(() -> store.exists(DENIED)).isInstanceOf(StorageException.class);
      assertThatThrownBy(() -> store.open(DENIED)).isInstanceOf(StorageException.class)
          .isNotInstanceOf(ObjectNotFoundException.class);
      assertThat(store.stat("/fine")).map(ObjectInfo::size).hasValue(3L);
      assertThat(store.stat("/absent")).isEmpty();
    }
  }

  @Test
  void aServerAnswersARefusedStatWithStorageError() throws Exception {
    try (ObjMapper store = store();
        ObjectServer server = ObjectServer.start(store, dir.resolve("s.sock"));
        ObjMapperClient client = ObjMapperClient.unix(server.unixSocketPath()).connect()) {
      assertThatThrownBy(() -> client.get(DENIED)).isInstanceOf(StorageException.class)
          .satisfies(e -> assertThat(((ObjMapperException) e).code()).isEqualTo(ErrorCode.STORAGE_ERROR));
      assertThatThrownBy(() -> client.get("/absent")).isInstanceOf(ObjectNotFoundException.class);
      try (RemoteObject fine = client.get("/fine")) {
        assertThat(fine.size()).isEqualTo(3);
      }
    }
  }

  /** The built-in fs tier, refusing to stat {@link #DENIED}. */
  private static final class RefusingTier extends ForwardingTier {
    RefusingTier(Tier tier) {
      super(tier);
    }

    @Override
    public ObjectStat stat(String name) throws IOException {
      if (name.equals(DENIED)) {
        throw new AccessDeniedException(name);
      }
      return delegate.stat(name);
    }
  }
}
