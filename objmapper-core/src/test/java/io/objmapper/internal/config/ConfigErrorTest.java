package io.objmapper.internal.config;

import static io.objmapper.internal.config.TestConfigs.seedWith;
import static io.objmapper.internal.config.TestConfigs.withBackend;
import static io.objmapper.internal.config.TestConfigs.withBackendAnd;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import org.junit.jupiter.api.Test;

/**
 * Each bad input is refused with one {@link ConfigException} that names the offending key
 * and, where the key is in the text, its line and column. Most cases change one value of
 * the seed file, so the reported lines are lines of that file.
 */
class ConfigErrorTest {

  private static ConfigException failure(String json) {
    try {
      ObjMapperConfig accepted = ObjMapperConfig.parse(json);
      return fail("expected a ConfigException, but the text was accepted as " + accepted);
    } catch (ConfigException e) {
      return e;
    }
  }

  @Test
  void aTierNameUtf8CannotWriteIsRefusedNamingTheKey() {
    ConfigException e = failure(withBackend(
        "\"name\": \"\\ud800bad\", \"type\": \"fs\", \"mount_path\": \"/tmp/x\", \"flags\": [\"readable\"]"));
    assertThat(e.reason()).startsWith("backends[0].name: must be Unicode text that UTF-8 can write (no lone surrogate)");
  }

  @Test
  void moreBackendsThanATierIdCanNameAreRefused() {
    StringBuilder b = new StringBuilder("{\"backends\": [");
    for (int i = 0; i < 257; i++) {
      b.append(i == 0 ? "" : ",").append("{\"name\": \"t").append(i).append("\", \"type\": \"fs\", ")
          .append("\"mount_path\": \"/tmp/t").append(i).append("\", \"flags\": [\"readable\"]}");
    }
    ConfigException e = failure(b.append("]}").toString());
    assertThat(e.reason()).isEqualTo("backends: at most 256 backends (a tier's id is one byte on the wire), was 257");
  }

  @Test
  void unknownTopLevelKeyIsRefusedListingTheKnownKeys() {
    ConfigException e = failure(withBackendAnd("  \"serverz\": {}"));
    assertThat(e.path()).isEqualTo("serverz");
    assertThat(e.reason()).isEqualTo(
        "serverz: unknown key; known: backends, index, lifecycle, protocol, server, thread_pool");
    assertThat(e.line()).isEqualTo(3);
    assertThat(e.column()).isEqualTo(3);
  }

  @Test
  void unknownKeyInASectionIsRefusedWithItsPathAndPosition() {
    ConfigException e = failure(seedWith("\"min_workers\"", "\"min_workerz\""));
    assertThat(e.reason()).isEqualTo("thread_pool.min_workerz: unknown key; known: max_workers,"
        + " min_workers, worker_stack_size");
    assertThat(e.getMessage()).endsWith("(line 4, column 9)");
  }

  @Test
  void stringWhereAnIntegerBelongsIsRefusedNotConverted() {
    ConfigException e = failure(seedWith("\"max_open_fds\": 10000", "\"max_open_fds\": \"10000\""));
    assertThat(e.reason()).isEqualTo("index.max_open_fds: expected an integer, was \"10000\"");
    assertThat(e.line()).isEqualTo(17);
  }

  @Test
  void fractionWhereAnIntegerBelongsIsRefusedNotTruncated() {
    ConfigException e = failure(seedWith("\"migration_batch_size\": 100",
        "\"migration_batch_size\": 2.5"));
    assertThat(e.reason()).isEqualTo("lifecycle.migration_batch_size: expected an integer, was 2.5");
  }

  @Test
  void numberWhereABooleanBelongsIsRefused() {
    ConfigException e = failure(seedWith("\"enable_persistence\": true",
        "\"enable_persistence\": 1"));
    assertThat(e.reason()).isEqualTo("index.enable_persistence: expected true or false, was 1");
  }

  @Test
  void numberWhereAStringBelongsIsRefused() {
    ConfigException e = failure(seedWith("\"type\": \"hdd\"", "\"type\": 7"));
    assertThat(e.reason()).isEqualTo("backends[2].type: expected a string, was 7");
    assertThat(e.line()).isEqualTo(46);
  }

  @Test
  void nullIsRefusedEvenForAKeyThatHasADefault() {
    ConfigException e = failure(seedWith("\"perf_factor\": 80.0", "\"perf_factor\": null"));
    assertThat(e.reason()).isEqualTo("backends[2].perf_factor: expected a number, was null");
  }

  @Test
  void integerTooLargeForItsKeyIsRefused() {
    ConfigException e = failure(seedWith("\"max_workers\": 100", "\"max_workers\": 99999999999"));
    assertThat(e.reason()).isEqualTo("thread_pool.max_workers: must be an integer from"
        + " -2147483648 to 2147483647, was 99999999999");
  }

  @Test
  void negativeCapacityIsRefused() {
    ConfigException e = failure(seedWith("\"capacity_gb\": 1024,", "\"capacity_gb\": -5,"));
    assertThat(e.reason()).isEqualTo("backends[1].capacity_gb: must be > 0, was -5");
    assertThat(e.line()).isEqualTo(37);
    assertThat(e.column()).isEqualTo(13);
  }

  @Test
  void capacityBelowOneByteIsRefused() {
    ConfigException e = failure(seedWith("\"capacity_gb\": 16", "\"capacity_gb\": 0.0000000005"));
    assertThat(e.reason()).isEqualTo("backends[0].capacity_gb: 0.0000000005 GB is not a whole"
        + " number of bytes (1 GB = 1000000000 bytes)");
  }

  @Test
  void unknownFlagIsRefusedListingTheKnownFlags() {
    // The NVMe tier's flags are split over two lines; the third one becomes "fast".
    ConfigException e = failure(seedWith("\"writable\", \n", "\"fast\", \n"));
    assertThat(e.reason()).isEqualTo("backends[1].flags[2]: unknown flag \"fast\"; known:"
        + " persistent, ephemeral, readable, writable, migration_src, migration_dst");
    assertThat(e.line()).isEqualTo(39);
    assertThat(e.column()).isEqualTo(49);
  }

  @Test
  void flagNamesAreCaseSensitive() {
    ConfigException e = failure(seedWith("[\"ephemeral\",", "[\"EPHEMERAL\","));
    assertThat(e.path()).isEqualTo("backends[0].flags[0]");
    assertThat(e.reason()).contains("unknown flag \"EPHEMERAL\"");
  }

  @Test
  void repeatedFlagIsRefused() {
    ConfigException e = failure(seedWith("\"readable\", \"writable\"]",
        "\"readable\", \"readable\"]"));
    assertThat(e.reason()).isEqualTo("backends[0].flags[2]: duplicate flag \"readable\"");
  }

  @Test
  void unknownCapabilityIsRefusedListingTheKnownOnes() {
    ConfigException e = failure(seedWith("[\"OOO_REPLIES\", \"PIPELINING\"]",
        "[\"OOO_REPLIES\", \"TURBO\"]"));
    assertThat(e.reason()).isEqualTo("protocol.capabilities[1]: unknown capability \"TURBO\";"
        + " known: OOO_REPLIES, PIPELINING, COMPRESSION, MULTIPLEXING, SEGMENTED");
    assertThat(e.line()).isEqualTo(12);
  }

  @Test
  void protocolVersionThreeIsRefused() {
    ConfigException e = failure(seedWith("\"version\": 2", "\"version\": 3"));
    assertThat(e.reason()).isEqualTo("protocol.version: must be 1 or 2, was 3");
    assertThat(e.line()).isEqualTo(10);
    assertThat(e.column()).isEqualTo(9);
  }

  @Test
  void pipelineDeeperThanTheProtocolLimitIsRefused() {
    ConfigException e = failure(seedWith("\"max_pipeline\": 100", "\"max_pipeline\": 1001"));
    assertThat(e.reason()).isEqualTo("protocol.max_pipeline: must be <= 1000, was 1001");
  }

  @Test
  void coldThresholdAboveHotThresholdIsRefusedNamingBoth() {
    ConfigException e = failure(seedWith("\"cold_threshold\": 0.3", "\"cold_threshold\": 0.8"));
    assertThat(e.reason()).isEqualTo(
        "lifecycle.cold_threshold (0.8) must be < lifecycle.hot_threshold (0.7)");
    assertThat(e.line()).isEqualTo(58);
  }

  @Test
  void coldThresholdEqualToHotThresholdIsRefused() {
    ConfigException e = failure(seedWith("\"cold_threshold\": 0.3", "\"cold_threshold\": 0.7"));
    assertThat(e.reason()).isEqualTo(
        "lifecycle.cold_threshold (0.7) must be < lifecycle.hot_threshold (0.7)");
  }

  @Test
  void contradictionWithADefaultPointsAtTheSection() {
    // cold_threshold is left at its default 0.3, above the hot threshold the file sets.
    ConfigException e = failure(withBackendAnd("  \"lifecycle\": {\"hot_threshold\": 0.2}"));
    assertThat(e.reason()).isEqualTo(
        "lifecycle.cold_threshold (0.3) must be < lifecycle.hot_threshold (0.2)");
    assertThat(e.line()).isEqualTo(3);
    assertThat(e.column()).isEqualTo(3);
  }

  @Test
  void evictTargetNotBelowEvictWhenFullIsRefused() {
    ConfigException e = failure(seedWith("\"evict_target\": 0.85", "\"evict_target\": 0.95"));
    assertThat(e.reason()).isEqualTo(
        "lifecycle.evict_target (0.95) must be < lifecycle.evict_when_full (0.95)");
    assertThat(e.line()).isEqualTo(60);
  }

  @Test
  void minWorkersAboveMaxWorkersIsRefused() {
    ConfigException e = failure(seedWith("\"min_workers\": 10", "\"min_workers\": 200"));
    assertThat(e.reason()).isEqualTo(
        "thread_pool.min_workers (200) must be <= thread_pool.max_workers (100)");
  }

  @Test
  void negativeMaxOpenFdsIsRefused() {
    ConfigException e = failure(seedWith("\"max_open_fds\": 10000", "\"max_open_fds\": -5"));
    assertThat(e.reason()).isEqualTo("index.max_open_fds: must be > 0, was -5");
  }

  @Test
  void evictThresholdOfZeroIsRefused() {
    ConfigException e = failure(seedWith("\"fd_evict_threshold\": 0.9",
        "\"fd_evict_threshold\": 0"));
    assertThat(e.reason()).isEqualTo("index.fd_evict_threshold: must be in (0, 1], was 0.0");
  }

  @Test
  void duplicateBackendNamesAreRefused() {
    ConfigException e = failure(seedWith("\"name\": \"HDD Cold Tier\"",
        "\"name\": \"NVMe Hot Tier\""));
    assertThat(e.reason()).isEqualTo(
        "backends[2].name: duplicate name \"NVMe Hot Tier\" (already used by backends[1])");
    assertThat(e.line()).isEqualTo(45);
  }

  @Test
  void backendThatIsBothEphemeralAndPersistentIsRefused() {
    ConfigException e = failure(seedWith("[\"ephemeral\", \"readable\"",
        "[\"ephemeral\", \"persistent\", \"readable\""));
    assertThat(e.reason()).isEqualTo(
        "backends[0].flags: a backend cannot be both ephemeral and persistent");
    assertThat(e.line()).isEqualTo(30);
  }

  @Test
  void ephemeralBackendThatPersistsItsIndexIsRefused() {
    ConfigException e = failure(seedWith("\"persist_index\": false", "\"persist_index\": true"));
    assertThat(e.path()).isEqualTo("backends[0].persist_index");
    assertThat(e.reason()).contains("an ephemeral backend must not persist its index");
  }

  @Test
  void migrationDestinationThatIsNotWritableIsRefused() {
    ConfigException e = failure(seedWith("\"writable\", \"migration_dst\"]",
        "\"migration_dst\"]"));
    assertThat(e.reason()).isEqualTo("backends[2].flags: migration_dst needs writable");
  }

  @Test
  void emptyBackendListIsRefused() {
    ConfigException e = failure("{\"backends\": []}");
    assertThat(e.reason()).isEqualTo("backends: at least one backend is required");
  }

  @Test
  void documentWithoutBackendsIsRefused() {
    ConfigException e = failure("{\"thread_pool\": {}}");
    assertThat(e.reason()).isEqualTo("backends: missing; at least one backend is required");
  }

  @Test
  void backendWithoutAMountPathIsRefusedPointingAtTheBackend() {
    ConfigException e = failure("{\"backends\": [\n  {\"name\": \"a\", \"type\": \"nvme\","
        + " \"capacity_gb\": 1}\n]}");
    assertThat(e.reason()).isEqualTo("backends[0].mount_path: missing (required)");
    assertThat(e.line()).isEqualTo(2);
    assertThat(e.column()).isEqualTo(3);
  }

  @Test
  void relativeMountPathIsRefused() {
    ConfigException e = failure(withBackend(
        "\"name\": \"a\", \"type\": \"memory\", \"mount_path\": \"data/a\", \"capacity_gb\": 1"));
    assertThat(e.reason()).isEqualTo(
        "backends[0].mount_path: must be an absolute path, was \"data/a\"");
  }

  @Test
  void backendMountedInsideAnotherIsRefused() {
    ConfigException e = failure(seedWith("\"mount_path\": \"/mnt/objmapper/hdd\"",
        "\"mount_path\": \"/mnt/objmapper/nvme/cold\""));
    assertThat(e.reason()).isEqualTo("backends[2].mount_path: \"/mnt/objmapper/nvme/cold\" and"
        + " the mount_path of backends[1] (\"/mnt/objmapper/nvme\") lie inside one another");
  }

  @Test
  void twoBackendsSharingAnIndexFileAreRefused() {
    ConfigException e = failure(seedWith("\"/mnt/objmapper/hdd/.objmapper_index\"",
        "\"/mnt/objmapper/nvme/.objmapper_index\""));
    assertThat(e.reason()).isEqualTo("backends[2].index_path:"
        + " \"/mnt/objmapper/nvme/.objmapper_index\" is also the index_path of backends[1]");
  }

  @Test
  void permissionsThatAreNotOctalAreRefused() {
    ConfigException e = failure(withBackendAnd("  \"server\": {\"socket_permissions\": \"0999\"}"));
    assertThat(e.reason()).isEqualTo("server.socket_permissions: must be an octal mode like"
        + " \"0660\" (no setuid, setgid or sticky bit), was \"0999\"");
  }

  @Test
  void permissionsWithASetuidBitAreRefused() {
    ConfigException e = failure(withBackendAnd("  \"server\": {\"socket_permissions\": \"4755\"}"));
    assertThat(e.path()).isEqualTo("server.socket_permissions");
  }

  @Test
  void tcpAddressWithoutAPortIsRefused() {
    ConfigException e = failure(withBackendAnd("  \"server\": {\"tcp\": \"localhost\"}"));
    assertThat(e.reason()).isEqualTo("server.tcp: must be host:port, like \"127.0.0.1:7000\" or"
        + " \"[::1]:7000\", was \"localhost\"");
  }

  @Test
  void tcpPortAboveTheLastPortIsRefused() {
    ConfigException e = failure(withBackendAnd("  \"server\": {\"tcp\": \"127.0.0.1:70000\"}"));
    assertThat(e.reason()).isEqualTo(
        "server.tcp: port must be 0 to 65535, was \"127.0.0.1:70000\"");
  }

  @Test
  void ipv6AddressWithoutBracketsIsRefused() {
    ConfigException e = failure(withBackendAnd("  \"server\": {\"tcp\": \"::1:7000\"}"));
    assertThat(e.reason()).startsWith("server.tcp: an IPv6 address needs brackets");
  }

  @Test
  void socketPathTooLongForAUnixSocketIsRefused() {
    String path = "/tmp/" + "d".repeat(100) + "/objmapper.sock";
    ConfigException e = failure(withBackendAnd("  \"server\": {\"socket_path\": \"" + path + "\"}"));
    assertThat(e.reason()).isEqualTo("server.socket_path: must be at most 107 bytes (the limit"
        + " of a Unix socket address), was 120 bytes");
  }

  @Test
  void missingCommaIsASyntaxErrorWithItsLine() {
    ConfigException e = failure(seedWith("\"max_workers\": 100,", "\"max_workers\": 100"));
    assertThat(e.reason()).startsWith("invalid JSON near thread_pool.max_workers:")
        .contains("was expecting comma");
    assertThat(e.line()).isEqualTo(6);
    assertThat(e.column()).isEqualTo(9);
  }

  @Test
  void trailingCommaIsASyntaxError() {
    ConfigException e = failure(seedWith("\"migration_batch_size\": 100",
        "\"migration_batch_size\": 100,"));
    assertThat(e.reason()).startsWith("invalid JSON");
    assertThat(e.line()).isEqualTo(63);
  }

  @Test
  void unterminatedCommentIsASyntaxError() {
    ConfigException e = failure("{\"backends\": []\n/* never closed\n");
    assertThat(e.reason()).startsWith("invalid JSON").contains("in a comment");
  }

  @Test
  void keyGivenTwiceIsRefusedInsteadOfTheLastOneWinning() {
    ConfigException e = failure(withBackendAnd(
        "  \"index\": {\"max_open_fds\": 10, \"max_open_fds\": 20}"));
    assertThat(e.reason()).isEqualTo("index.max_open_fds: duplicate key");
    assertThat(e.line()).isEqualTo(3);
    assertThat(e.column()).isEqualTo(33);
  }

  @Test
  void sectionThatIsNotAnObjectIsRefused() {
    ConfigException e = failure(withBackendAnd("  \"lifecycle\": [1, 2]"));
    assertThat(e.reason()).isEqualTo("lifecycle: expected an object, was an array");
  }

  @Test
  void topLevelThatIsNotAnObjectIsRefused() {
    ConfigException e = failure("[" + TestConfigs.BACKEND + "]");
    assertThat(e.reason()).isEqualTo("expected a JSON object at the top level, was an array");
    assertThat(e.path()).isEmpty();
  }

  @Test
  void contentAfterTheTopLevelObjectIsRefused() {
    ConfigException e = failure(withBackendAnd("  \"server\": {}") + "{}");
    assertThat(e.reason()).isEqualTo(
        "unexpected content after the top-level object: an object");
    assertThat(e.line()).isEqualTo(5);
  }

  @Test
  void emptyTextIsRefused() {
    ConfigException e = failure("  /* only a comment */  ");
    assertThat(e.reason()).isEqualTo("no content; expected a JSON object");
  }
}
