package io.objmapper;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.objmapper.client.ObjMapperClient;
import io.objmapper.client.RemoteObject;
import io.objmapper.server.ObjectServer;
import io.objmapper.spi.TierConfig;
import io.objmapper.spi.TierFlag;
import java.io.FileOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A store served in the C server's write mode: create on miss, writable descriptors, /delete/. */
class StoreCCompatServerTest {
  Path dir;
  ObjMapper store;
  ObjectServer server;

  @BeforeEach
  void start() throws Exception {
    dir = Files.createTempDirectory("om");
    store = ObjMapper.builder()
        .tier(TierConfig.builder().name("disk").type("fs").root(Files.createDirectories(dir.resolve("disk")))
            .flags(TierFlag.PERSISTENT, TierFlag.READABLE, TierFlag.WRITABLE).build())
        .build();
    server = ObjectServer.builder(store).unixSocket(dir.resolve("s.sock")).cCompat(true).build().start();
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
    store.close();
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  @Test
  void aMissingObjectIsCreatedAndWhatIsWrittenThroughTheDescriptorIsStored() throws Exception {
    try (ObjMapperClient c = ObjMapperClient.unix(dir.resolve("s.sock")).connect();
        RemoteObject o = c.get("/new")) {
      assertThat(o.size()).isZero();
      try (FileOutputStream out = new FileOutputStream(o.descriptor())) {
        out.write("written by a C client".getBytes(UTF_8));
      }
    }
    try (ObjectLease lease = store.open("/new")) {
      assertThat(new String(lease.readAllBytes(), UTF_8)).isEqualTo("written by a C client");
    }
  }

  @Test
  void aWriteToAnObjectWithACachedCopyGoesToItsPersistentCopy() throws Exception {
    Path d2 = Files.createDirectories(dir.resolve("second"));
    try (ObjMapper cached = ObjMapper.builder()
        .tier(TestStores.migratable(TestStores.memory(d2)))
        .tier(TestStores.migratable(TestStores.disk("disk", d2.resolve("disk"), 3.0)))
        .lifecycle(TestStores.manualLifecycle()).build();
        ObjectServer s = ObjectServer.builder(cached).unixSocket(d2.resolve("c.sock")).cCompat(true).build().start()) {
      cached.put("/o", "old".getBytes(UTF_8));
      cached.move("/o", "mem");
      try (ObjMapperClient c = ObjMapperClient.unix(d2.resolve("c.sock")).connect();
          RemoteObject o = c.get("/o")) {
        try (FileOutputStream out = new FileOutputStream(o.descriptor())) {
          out.write("new!".getBytes(UTF_8));
        }
      }
      assertThat(Files.readString(d2.resolve("disk").resolve("o"))).isEqualTo("new!");
      try (ObjectLease lease = cached.open("/o")) {
        assertThat(lease.tier()).isEqualTo("disk");
        assertThat(new String(lease.readAllBytes(), UTF_8)).isEqualTo("new!");
      }
    }
  }

  @Test
  void createsWritesAndDeletesThroughSymlinksInATierNeverReachOutsideIt() throws Exception {
    Path outside = Files.createDirectories(dir.resolve("outside"));
    Path secret = Files.writeString(outside.resolve("secret"), "outside", UTF_8);
    Path disk = dir.resolve("disk");
    Files.createSymbolicLink(disk.resolve("x"), secret);
    Files.createSymbolicLink(disk.resolve("d"), outside);
    try (ObjMapperClient c = ObjMapperClient.unix(dir.resolve("s.sock")).connect()) {
      // A link where an object would be created is no object: a new empty file takes its
      // place beneath the root, and what is written goes there, not to the link's target.
      try (RemoteObject o = c.get("/x")) {
        assertThat(o.size()).isZero();
        try (FileOutputStream out = new FileOutputStream(o.descriptor())) {
          out.write("written".getBytes(UTF_8));
        }
      }
      assertThat(Files.isRegularFile(disk.resolve("x"), java.nio.file.LinkOption.NOFOLLOW_LINKS)).isTrue();
      assertThat(disk.resolve("x")).hasContent("written");
      // A linked folder is refused for creates; nothing beneath it is an object to delete.
      for (String uri : java.util.List.of("/d/secret", "/d/new", "/d/sub/new")) {
        assertThatThrownBy(() -> c.get(uri).close()).as(uri).isInstanceOf(StorageException.class)
            .hasMessageContaining("symbolic link");
      }
      assertThatThrownBy(() -> c.get("/delete/d/secret").close()).isInstanceOf(ObjectNotFoundException.class);
      c.get("/delete/x").close();
    }
    assertThat(disk.resolve("x")).doesNotExist();
    assertThat(secret).hasContent("outside");
    try (Stream<Path> listing = Files.list(outside)) {
      assertThat(listing).containsExactly(secret);
    }
    assertThat(Files.isSymbolicLink(disk.resolve("d"))).isTrue();
  }

  @Test
  void anIndexedObjectIsOpenedReadWriteWithADescriptionOfItsOwnForEachRequest() throws Exception {
    store.put("/old", "0123456789".getBytes(UTF_8));
    try (ObjMapperClient c = ObjMapperClient.unix(dir.resolve("s.sock")).connect();
        RemoteObject a = c.get("/old");
        RemoteObject b = c.get("/old")) {
      assertThat(a.size()).isEqualTo(10);
      assertThat(io.objmapper.server.Fds.accessMode(a.descriptor())).isEqualTo(io.objmapper.server.Fds.O_RDWR);
      try (FileOutputStream out = new FileOutputStream(a.descriptor())) {
        out.write("ab".getBytes(UTF_8)); // moves a's offset only
      }
      byte[] head = new byte[2];
      assertThat(new java.io.FileInputStream(b.descriptor()).read(head)).isEqualTo(2);
      assertThat(new String(head, UTF_8)).as("b reads from its own offset 0").isEqualTo("ab");
    }
    try (ObjectLease lease = store.open("/old")) {
      assertThat(new String(lease.readAllBytes(), UTF_8)).isEqualTo("ab23456789");
    }
  }

  @Test
  void aFileRemovedBehindTheIndexIsCreatedAgainEmpty() throws Exception {
    store.put("/gone", "x".getBytes(UTF_8));
    Files.delete(dir.resolve("disk/gone"));
    try (ObjMapperClient c = ObjMapperClient.unix(dir.resolve("s.sock")).connect();
        RemoteObject o = c.get("/gone")) {
      assertThat(o.size()).isZero();
      try (FileOutputStream out = new FileOutputStream(o.descriptor())) {
        out.write("again".getBytes(UTF_8));
      }
    }
    try (ObjectLease lease = store.open("/gone")) {
      assertThat(new String(lease.readAllBytes(), UTF_8)).isEqualTo("again");
    }
  }

  @Test
  void deleteThroughTheWireRemovesTheObjectFromTheStore() throws Exception {
    store.put("/gone", "x".getBytes(UTF_8));
    try (ObjMapperClient c = ObjMapperClient.unix(dir.resolve("s.sock")).connect()) {
      c.get("/delete/gone").close();
      assertThatThrownBy(() -> c.get("/delete/gone")).isInstanceOf(ObjectNotFoundException.class);
    }
    assertThat(store.exists("/gone")).isFalse();
  }

  @Test
  void aDeleteAskedInCopyModeIsAnEmptyBodyAndTheFramingHolds() throws Exception {
    store.put("/gone", "x".getBytes(UTF_8));
    store.put("/kept", "kept".getBytes(UTF_8));
    try (ObjMapperClient c = ObjMapperClient.unix(dir.resolve("s.sock")).version(1).connect()) {
      try (RemoteObject o = c.get("/delete/gone", io.objmapper.protocol.Mode.COPY)) {
        assertThat(o.bytes()).isEmpty();
      }
      try (RemoteObject o = c.get("/kept", io.objmapper.protocol.Mode.COPY)) {
        assertThat(new String(o.bytes(), UTF_8)).isEqualTo("kept");
      }
    }
    assertThat(store.exists("/gone")).isFalse();
  }
}
