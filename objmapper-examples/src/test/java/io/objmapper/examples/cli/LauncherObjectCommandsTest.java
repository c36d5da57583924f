package io.objmapper.examples.cli;

import static io.objmapper.examples.cli.LauncherStoreCommandsTest.launch;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.objmapper.ObjMapper;
import io.objmapper.examples.cli.LauncherStoreCommandsTest.Result;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code put}, {@code rm}, {@code ls}, {@code stat}, {@code import}, {@code help}, {@code --version}, run in-process. */
class LauncherObjectCommandsTest {
  @TempDir Path dir;

  private String data() {
    return dir.resolve("data").toString();
  }

  private Path file(String name, String content) throws Exception {
    Path f = dir.resolve("files").resolve(name);
    Files.createDirectories(f.getParent());
    return Files.writeString(f, content);
  }

  @Test
  void putStoresAFileAndPrintsNameSizeAndTier() throws Exception {
    Path a = file("a.txt", "alpha");
    Result r = launch("put", "--data", data(), "/notes/a.txt", a.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).isEqualTo("/notes/a.txt\t5\tdisk\n");
    try (ObjMapper s = StoreOptions.open(null, dir.resolve("data"), true, false);
        var lease = s.open("/notes/a.txt")) {
      assertThat(new String(lease.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("alpha");
    }
  }

  @Test
  void theFoldersAndFilesAStoreMakesForItselfAreNotReadableByOtherUsers() throws Exception {
    assertThat(launch("put", "--data", data(), "/a/b", file("b", "b").toString()).code()).isZero();
    List<Path> made;
    try (var walk = Files.walk(dir.resolve("data"))) {
      made = walk.toList(); // the folders, the object, the index map and its manifest, marker and lock
    }
    assertThat(made).contains(dir.resolve("data/disk/.objmapper_index.map.1"), dir.resolve("data/disk/a/b"));
    for (Path p : made) {
      assertThat(Files.getPosixFilePermissions(p)).as(p.toString()).doesNotContain(
          java.nio.file.attribute.PosixFilePermission.OTHERS_READ,
          java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE,
          java.nio.file.attribute.PosixFilePermission.OTHERS_WRITE);
    }
  }

  @Test
  void putEphemeralWithoutAServeIsRefusedSinceTheMemoryTierEndsWithTheCommand() throws Exception {
    Result r = launch("put", "--data", data(), "--ephemeral", "/tmp/x", file("x", "xx").toString());
    assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err().lines()).singleElement().asString()
        .startsWith("put: --ephemeral: without a running serve the object would be lost when this command exits");
    assertThat(r.out()).isEmpty(); // no success line for an object that would not exist
  }

  @Test
  void putEphemeralGoesToAConfiguredMemoryTierWithAFolderOfItsOwnAndStaysThere() throws Exception {
    Path mem = Files.createDirectories(dir.resolve("mem"));
    Path disk = Files.createDirectories(dir.resolve("disk"));
    Path conf = Files.writeString(dir.resolve("objmapper.conf"), """
        {"backends": [
          {"name": "mem", "type": "memory", "mount_path": "%s", "perf_factor": 1.0,
           "flags": ["ephemeral", "readable", "writable"]},
          {"name": "disk", "type": "fs", "mount_path": "%s", "perf_factor": 3.0,
           "flags": ["persistent", "readable", "writable"]}
        ]}
        """.formatted(mem, disk));
    Result r = launch("put", "--config", conf.toString(), "--ephemeral", "/tmp/x", file("x", "xx").toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).isEqualTo("/tmp/x\t2\tmem\n");
    assertThat(launch("ls", "--config", conf.toString()).out()).isEqualTo("/tmp/x\t2\tmem\n");

    // A faster memory tier without a folder of its own is where an ephemeral object would go.
    Path faster = Files.writeString(dir.resolve("faster.conf"), """
        {"backends": [
          {"name": "shm", "type": "memory", "perf_factor": 0.5, "flags": ["ephemeral", "readable", "writable"]},
          {"name": "mem", "type": "memory", "mount_path": "%s", "perf_factor": 1.0,
           "flags": ["ephemeral", "readable", "writable"]},
          {"name": "disk", "type": "fs", "mount_path": "%s", "perf_factor": 3.0,
           "flags": ["persistent", "readable", "writable"]}
        ]}
        """.formatted(mem, disk));
    Result refused = launch("put", "--config", faster.toString(), "--ephemeral", "/tmp/y", file("y", "y").toString());
    assertThat(refused.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(refused.err()).contains("the ephemeral tier \"shm\" has no mount_path");
  }

  @Test
  void putOfAMissingFileExitsFourNamingIt() {
    Path missing = dir.resolve("nope.txt");
    Result r = launch("put", "--data", data(), "/a", missing.toString());
    assertThat(r.code()).isEqualTo(ExitCodes.LOCAL_FILE);
    assertThat(r.err().lines()).containsExactly("put: cannot read " + missing + ": no such file");
    assertThat(dir.resolve("data")).doesNotExist();
  }

  @Test
  void putOfAnEmptyFileArgumentIsAUsageError() {
    Result r = launch("put", "--data", data(), "/a", "");
    assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err().lines()).singleElement().asString().startsWith("put: FILE: empty; name the file to store");
    assertThat(dir.resolve("data")).doesNotExist();
  }

  @Test
  void putOfAnInvalidNameExitsTwo() throws Exception {
    Result r = launch("put", "--data", data(), "/a/../b", file("a", "a").toString());
    assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err().lines()).singleElement().asString().startsWith("put: invalid object name");
  }

  @Test
  void lsListsNameSizeAndTierSortedAndFiltersByPrefix() throws Exception {
    launch("put", "--data", data(), "/b/two", file("2", "22").toString());
    launch("put", "--data", data(), "/a/one", file("1", "1").toString());
    launch("put", "--data", data(), "/b/three", file("3", "333").toString());
    Result all = launch("ls", "--data", data());
    assertThat(all.code()).as(all.err()).isZero();
    assertThat(all.out().lines()).containsExactly("/a/one\t1\tdisk", "/b/three\t3\tdisk", "/b/two\t2\tdisk");
    Result b = launch("ls", "--data", data(), "/b/");
    assertThat(b.out().lines()).containsExactly("/b/three\t3\tdisk", "/b/two\t2\tdisk");
    Result none = launch("ls", "--data", data(), "/c");
    assertThat(none.code()).isZero();
    assertThat(none.out()).isEmpty();
  }

  @Test
  void lsJsonPrintsOneObjectPerLine() throws Exception {
    launch("put", "--data", data(), "/a", file("a", "abc").toString());
    Result r = launch("ls", "--json", "--data", data());
    assertThat(r.code()).as(r.err()).isZero();
    List<JsonNode> lines = r.jsonLines();
    assertThat(lines).singleElement().satisfies(n -> {
      assertThat(n.fieldNames()).toIterable().containsExactly("name", "size", "tier");
      assertThat(n.get("name").asText()).isEqualTo("/a");
      assertThat(n.get("size").asLong()).isEqualTo(3);
      assertThat(n.get("tier").asText()).isEqualTo("disk");
    });
  }

  @Test
  void lsWithAPrefixNotStartingWithASlashIsAUsageError() throws Exception {
    launch("put", "--data", data(), "/a", file("a", "abc").toString());
    Result r = launch("ls", "--data", data(), "a");
    assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err().lines()).singleElement().asString().startsWith("ls: PREFIX must start with /");
  }

  @Test
  void statPrintsOneJsonObjectAndExitsOneWhenNotFound() throws Exception {
    launch("put", "--data", data(), "/a", file("a", "abcd").toString());
    Result r = launch("stat", "--data", data(), "/a");
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode n = r.json();
    assertThat(n.fieldNames()).toIterable().containsExactly("name", "size", "tier", "tier_id", "mtime", "ephemeral",
        "pinned");
    assertThat(n.get("size").asLong()).isEqualTo(4);
    assertThat(n.get("tier_id").asInt()).isEqualTo(1);
    long seconds = java.nio.file.Files.getLastModifiedTime(dir.resolve("data/disk/a")).toMillis() / 1000;
    assertThat(n.get("mtime").asText()).as("whole seconds, as through a server")
        .isEqualTo(java.time.Instant.ofEpochSecond(seconds).toString());
    assertThat(n.get("pinned").asBoolean()).isFalse();
    assertThat(n.get("ephemeral").asBoolean()).isFalse();
    Result missing = launch("stat", "--data", data(), "/b");
    assertThat(missing.code()).isEqualTo(ExitCodes.FAILED);
    assertThat(missing.out()).isEmpty();
    assertThat(missing.err().lines()).containsExactly("stat: not found: /b");
  }

  @Test
  void rmDeletesAndExitsOneNamingWhatWasNotThere() throws Exception {
    launch("put", "--data", data(), "/a", file("a", "a").toString());
    Result r = launch("rm", "--data", data(), "/a", "/b");
    assertThat(r.code()).isEqualTo(ExitCodes.FAILED);
    assertThat(r.err().lines()).containsExactly("rm: not found: /b");
    assertThat(launch("ls", "--data", data()).out()).isEmpty();
    assertThat(launch("rm", "--data", data(), "/x").code()).isEqualTo(ExitCodes.FAILED);
  }

  @Test
  void commandsOnAStoreThatDoesNotExistExitThreeAndCreateNothing() {
    Path absent = dir.resolve("absent");
    for (List<String> args : List.of(List.of("ls"), List.of("stat", "/a"), List.of("rm", "/a"))) {
      String[] argv = java.util.stream.Stream.concat(args.stream().limit(1),
          java.util.stream.Stream.concat(java.util.stream.Stream.of("--data", absent.toString()), args.stream().skip(1)))
          .toArray(String[]::new);
      Result r = launch(argv);
      assertThat(r.code()).as("%s", args).isEqualTo(ExitCodes.UNAVAILABLE);
      assertThat(r.err().lines()).singleElement().asString().startsWith(args.get(0) + ": no store under " + absent);
    }
    assertThat(absent).doesNotExist();
  }

  @Test
  void writingToAStoreHeldByAnotherProcessNamesTheLock() throws Exception {
    Path a = file("a", "a");
    try (ObjMapper held = StoreOptions.open(null, dir.resolve("data"), true, false)) {
      for (String[] args : List.of(new String[] {"put", "--data", data(), "/a", a.toString()},
          new String[] {"rm", "--data", data(), "/a"}, new String[] {"ls", "--data", data()},
          new String[] {"import", "--data", data(), a.getParent().toString()})) {
        Result r = launch(args);
        assertThat(r.code()).as(args[0]).isEqualTo(ExitCodes.UNAVAILABLE);
        assertThat(r.err().lines()).as(args[0]).singleElement().asString()
            .startsWith(args[0] + ": the store is held by a running serve: the index ")
            .contains(dir.resolve("data").resolve("disk").toString())
            .contains("in use by another");
      }
    }
  }

  @Test
  void importPutsEveryFileUnderThePrefix() throws Exception {
    file("x.txt", "x");
    file("sub/y.txt", "yy");
    Result r = launch("import", "--data", data(), "--prefix", "/in/", dir.resolve("files").toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).startsWith("imported 2 objects (3 bytes) from " + dir.resolve("files"));
    assertThat(launch("ls", "--data", data()).out().lines()).containsExactly("/in/sub/y.txt\t2\tdisk",
        "/in/x.txt\t1\tdisk");
  }

  @Test
  void importNamesEachFileItCannotTakeAndImportsTheRest() throws Exception {
    file("good1", "1");
    file("bad\\name", "backslashes are not allowed in names");
    file("good2", "2");
    Result r = launch("import", "--data", data(), dir.resolve("files").toString());
    assertThat(r.code()).isEqualTo(ExitCodes.FAILED);
    assertThat(r.out()).startsWith("imported 2 objects");
    assertThat(r.err().lines()).hasSize(2);
    assertThat(r.err().lines().toList().get(0)).startsWith("import: cannot import " + dir.resolve("files/bad\\name")
        + " as /bad\\name: invalid object name");
    assertThat(r.err().lines().toList().get(1)).isEqualTo(
        "import: 1 of 3 files failed (named above); the others are imported");
    assertThat(launch("ls", "--data", data()).out().lines()).containsExactly("/good1\t1\tdisk", "/good2\t1\tdisk");
  }

  @Test
  void importNamesALinkAndAFifoItSkipsNeverFollowingOrWaitingOnThem() throws Exception {
    file("good", "1");
    Path secret = Files.writeString(dir.resolve("secret"), "outside");
    Files.createSymbolicLink(dir.resolve("files/link"), secret);
    Process mkfifo = new ProcessBuilder("mkfifo", dir.resolve("files/fifo").toString()).start();
    assertThat(mkfifo.waitFor()).isZero();

    Result r = launch("import", "--data", data(), dir.resolve("files").toString());

    assertThat(r.code()).isEqualTo(ExitCodes.FAILED);
    assertThat(r.out()).startsWith("imported 1 objects");
    assertThat(r.err().lines()).containsExactlyInAnyOrder(
        "import: skipped " + dir.resolve("files/link") + ": a symbolic link",
        "import: skipped " + dir.resolve("files/fifo") + ": not a regular file (a FIFO, socket or device)",
        "import: 2 of 3 files failed (named above); the others are imported");
    assertThat(launch("ls", "--data", data()).out().lines()).containsExactly("/good\t1\tdisk");
  }

  @Test
  void importOfAMissingDirectoryExitsFour() {
    Result r = launch("import", "--data", data(), dir.resolve("nope").toString());
    assertThat(r.code()).isEqualTo(ExitCodes.LOCAL_FILE);
    assertThat(r.err().lines()).containsExactly("import: cannot import " + dir.resolve("nope") + ": no such directory");
  }

  @Test
  void anInvalidPrefixIsAUsageError() throws Exception {
    file("x", "x");
    Result r = launch("import", "--data", data(), "--prefix", "/a/../b", dir.resolve("files").toString());
    assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err().lines()).singleElement().asString()
        .startsWith("import: invalid argument: invalid prefix \"/a/../b\": ");
    Result noSlash = launch("import", "--data", data(), "--prefix", "imp", dir.resolve("files").toString());
    assertThat(noSlash.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(noSlash.err().lines()).containsExactly(
        "import: invalid argument: invalid prefix \"imp\": it must start with '/', as in /photos");
    assertThat(dir.resolve("data")).doesNotExist(); // refused before the store was made
  }

  @Test
  void anEmptyDirectoryToImportIsAUsageErrorNotTheWorkingDirectory() {
    Result r = launch("import", "--data", data(), "");
    assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err().lines()).singleElement().asString().startsWith("import: DIR: empty; name the directory");
    Result serve = launch("serve", "--socket", dir.resolve("s.sock").toString(), "--data", data(), "--import=");
    assertThat(serve.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(serve.err().lines()).singleElement().asString().startsWith("serve: --import: empty; name the directory");
    assertThat(dir.resolve("data")).doesNotExist();
  }

  @Test
  void importNeverTakesTheStoresOwnFolderInAndRefusesADirectoryInsideIt() throws Exception {
    file("x.txt", "x");
    Path data = dir.resolve("files/data"); // the store inside the folder imported
    assertThat(launch("put", "--data", data.toString(), "/old", file("o", "o").toString()).code()).isZero();

    Result r = launch("import", "--data", data.toString(), dir.resolve("files").toString());

    assertThat(r.code()).as(r.err()).isZero(); // the store's own folder is left out, not a failure
    assertThat(r.err().lines()).containsExactly(
        "import: skipped " + data.resolve("disk") + ": the store's own folder (tier disk)");
    assertThat(launch("ls", "--data", data.toString()).out().lines())
        .containsExactly("/o\t1\tdisk", "/old\t1\tdisk", "/x.txt\t1\tdisk");

    Result inside = launch("import", "--data", data.toString(), data.resolve("disk").toString());
    assertThat(inside.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(inside.err().lines()).singleElement().asString().startsWith("import: invalid argument: cannot import "
        + data.resolve("disk") + ": it lies inside the store's own folder");
    assertThat(launch("ls", "--data", data.toString()).out().lines()).hasSize(3);
  }

  @Test
  void serveSampleImportAddsWhatIsMissingAndKeepsWhatIsAlreadyStored() throws Exception {
    file("a", "sample a");
    file("b", "sample b");
    try (ObjMapper s = StoreOptions.open(null, dir.resolve("data"), true, false)) {
      s.put("/a", "mine".getBytes(StandardCharsets.UTF_8));
      java.util.List<String> lines = new java.util.ArrayList<>();
      Importer.Result r = Importer.importTree(s, dir.resolve("files"), "", true, ImportProgress.NONE, lines::add);
      assertThat(lines).isEmpty();
      assertThat(r.objects()).isEqualTo(1);
      assertThat(r.kept()).isEqualTo(1);
      assertThat(r.failed()).isZero();
      try (var a = s.open("/a"); var b = s.open("/b")) {
        assertThat(new String(a.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("mine");
        assertThat(new String(b.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("sample b");
      }
      // an import asked for replaces: the user named the folder to take in
      Importer.Result replaced = Importer.importTree(s, dir.resolve("files"), "", ImportProgress.NONE, lines::add);
      assertThat(replaced.objects()).isEqualTo(2);
      try (var a = s.open("/a")) {
        assertThat(new String(a.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("sample a");
      }
    }
  }

  @Test
  void anImportThroughTheServeHoldingTheStoreLeavesTheStoresFoldersOutToo() throws Exception {
    file("x.txt", "x");
    Path data = dir.resolve("files/data"); // the store inside the folder imported
    Path sock = dir.resolve("s.sock");
    try (ObjMapper store = StoreOptions.open(null, data, true, false);
        io.objmapper.server.ObjectServer server = io.objmapper.server.ObjectServer.builder(store).unixSocket(sock)
            .build().start()) {
      store.put("/old", new byte[] {1});
      Result r = launch("import", "--data", data.toString(), "--socket", sock.toString(), dir.resolve("files").toString());
      assertThat(r.code()).as(r.err()).isZero();
      assertThat(r.err().lines()).containsExactly(
          "import: skipped " + data.resolve("disk") + ": the store's own folder (tier disk)");
      assertThat(store.list("/").stream().map(io.objmapper.ObjectInfo::name)).containsExactly("/old", "/x.txt");

      Result inside = launch("import", "--data", data.toString(), "--socket", sock.toString(),
          data.resolve("disk").toString());
      assertThat(inside.code()).isEqualTo(ExitCodes.USAGE);
      assertThat(inside.err().lines()).singleElement().asString().startsWith("import: invalid argument: cannot import "
          + data.resolve("disk") + ": it lies inside the store's own folder");
    }
  }

  @Test
  void serveRefusesAnOpenTcpListenerOrATakenMetricsPortBeforeMakingTheStore() throws Exception {
    Result open = launch("serve", "--socket", dir.resolve("s.sock").toString(), "--data", data(),
        "--tcp", "192.0.2.2:0");
    assertThat(open.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(open.err().lines()).singleElement().asString()
        .startsWith("serve: the TCP listener 192.0.2.2:0 is not on a loopback address and has no allow list");
    assertThat(dir.resolve("data")).doesNotExist();
    try (java.nio.channels.ServerSocketChannel taken = java.nio.channels.ServerSocketChannel.open()) {
      taken.bind(new java.net.InetSocketAddress("127.0.0.1", 0));
      int port = ((java.net.InetSocketAddress) taken.getLocalAddress()).getPort();
      Result r = launch("serve", "--socket", dir.resolve("s.sock").toString(), "--data", data(),
          "--metrics", "127.0.0.1:" + port);
      assertThat(r.code()).isEqualTo(ExitCodes.UNAVAILABLE);
      assertThat(r.err().lines()).singleElement().asString()
          .startsWith("serve: --metrics: cannot listen on http://127.0.0.1:" + port);
    }
    assertThat(dir.resolve("data")).doesNotExist();
  }

  @Test
  void statsAndWhereShowAControlCharacterInTheirErrorLinesEscaped() {
    Path conf = dir.resolve("a\u001b[2Jb.json");
    for (String[] argv : List.of(new String[] {"stats", "--config", conf.toString()},
        new String[] {"where", "--config", conf.toString(), "/a"})) {
      Result r = launch(argv);
      assertThat(r.code()).as(argv[0]).isEqualTo(ExitCodes.UNAVAILABLE);
      assertThat(r.err()).as(argv[0]).doesNotContain("\u001b").contains("a\\x1b[2Jb.json");
    }
  }

  @Test
  void aControlCharacterInAnErrorLineIsShownEscapedNeverSentToTheTerminal() {
    assertThat(ExitCodes.oneLine("a\u001b]0;x\u0007b\nc\td")).isEqualTo("a\\x1b]0;x\\x07b c\td");
    assertThat(ExitCodes.oneLine("plain")).isSameAs("plain");
  }

  @Test
  void versionPrintsTheProjectVersion() {
    Result r = launch("--version");
    assertThat(r.code()).isZero();
    assertThat(r.out().strip()).isEqualTo("objmapper " + System.getProperty("objmapper.version"));
  }

  @Test
  void helpListsTheCommandsAndExplainsOne() {
    Result all = launch("help");
    assertThat(all.code()).isZero();
    assertThat(all.out()).contains("serve", "get", "put", "rm", "ls", "stat", "import", "stats", "where", "bench",
        "help");
    Result put = launch("help", "put");
    assertThat(put.code()).isZero();
    assertThat(put.out()).contains("Usage: objmapper put", "NAME", "FILE", "--data");
  }

  @Test
  void anUnknownOptionIsOneLineAndExitTwo() {
    Result r = launch("ls", "--nope");
    assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err().lines()).containsExactly("ls: Unknown option: '--nope' (see: objmapper help ls)");
  }

  @Test
  void verbosePrintsTheStackTraceAfterTheLine() {
    Path missing = dir.resolve("nope.txt");
    Result r = launch("put", "--verbose", "--data", data(), "/a", missing.toString());
    assertThat(r.code()).isEqualTo(ExitCodes.LOCAL_FILE);
    List<String> lines = r.err().lines().toList();
    assertThat(lines.get(0)).isEqualTo("put: cannot read " + missing + ": no such file");
    assertThat(lines).hasSizeGreaterThan(2).anySatisfy(l -> assertThat(l).contains("at io.objmapper.examples.cli"));
  }

  @Test
  void serveWithASocketInAMissingDirectoryFailsBeforeImporting() throws Exception {
    file("x", "x");
    Path sock = dir.resolve("no/such/dir/x.sock");
    Result r = launch("serve", "--socket", sock.toString(), "--data", data(), "--import", dir.resolve("files").toString());
    assertThat(r.code()).isEqualTo(ExitCodes.LOCAL_FILE);
    assertThat(r.err().lines()).containsExactly("serve: --socket " + sock + ": no such directory " + sock.getParent());
    assertThat(dir.resolve("data")).doesNotExist();
  }

  @Test
  void serveOnATakenTcpPortOrAFileInPlaceOfTheSocketFailsBeforeImporting() throws Exception {
    file("x", "x");
    try (java.nio.channels.ServerSocketChannel taken = java.nio.channels.ServerSocketChannel.open()) {
      taken.bind(new java.net.InetSocketAddress("127.0.0.1", 0));
      int port = ((java.net.InetSocketAddress) taken.getLocalAddress()).getPort();
      Result r = launch("serve", "--socket", dir.resolve("s.sock").toString(), "--tcp", "127.0.0.1:" + port,
          "--data", data(), "--import", dir.resolve("files").toString());
      assertThat(r.code()).isEqualTo(ExitCodes.UNAVAILABLE);
      assertThat(r.err().lines()).singleElement().asString().startsWith("serve: cannot listen on tcp:127.0.0.1:" + port);
      assertThat(dir.resolve("data")).as("no store opened, none made").doesNotExist();
    }
    Path notASocket = Files.writeString(dir.resolve("file.sock"), "mine");
    Result r = launch("serve", "--socket", notASocket.toString(), "--data", data(), "--import",
        dir.resolve("files").toString());
    assertThat(r.code()).isEqualTo(ExitCodes.UNAVAILABLE);
    assertThat(r.err().lines()).singleElement().asString().isEqualTo("serve: " + notASocket + " exists and is not a socket");
    assertThat(notASocket).hasContent("mine");
    assertThat(dir.resolve("data")).as("no store opened, none made").doesNotExist();
  }

  @Test
  void badServeFlagValuesAreUsageErrorsNamingTheFlag() {
    String[][] cases = {{"--io-threads", "0", "must be in 1..64, was 0"},
        {"--max-connections", "0", "must be at least 1, was 0"},
        {"--max-connections-per-peer", "-3", "must be at least 1, was -3"},
        {"--write-timeout-ms", "-1", "must be at least 0, was -1"},
        {"--max-pending-puts", "0", "must be at least 1, was 0"},
        {"--idle-spin-us", "1001", "must be in 0..1000, was 1001"},
        {"--idle-spin-us", "-1", "must be in 0..1000, was -1"}};
    for (String[] c : cases) {
      Result r = launch("serve", "--socket", dir.resolve("s.sock").toString(), "--data", data(), c[0], c[1]);
      assertThat(r.code()).as(c[0]).isEqualTo(ExitCodes.USAGE);
      assertThat(r.err().lines()).as(c[0]).singleElement().asString().startsWith("serve: " + c[0] + ": " + c[2]);
    }
    assertThat(dir.resolve("data")).as("found before the store is opened").doesNotExist();
  }

  @Test
  void serveWithATooLongSocketPathFailsBeforeImporting() throws Exception {
    Path sock = dir.resolve("s".repeat(120) + ".sock");
    Result r = launch("serve", "--socket", sock.toString(), "--data", data());
    assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err().lines()).singleElement().asString().startsWith("serve: --socket " + sock + " is ")
        .endsWith("bytes long, more than the 107 a Unix socket path may have");
    assertThat(dir.resolve("data")).doesNotExist();
  }

  @Test
  void serveWithAMalformedConfigurationFailsInOneLineWithExitTwo() throws Exception {
    Path conf = Files.writeString(dir.resolve("bad.conf"), "{\"backends\": [ {\"name\": 3} ");
    Result r = launch("serve", "--socket", dir.resolve("s.sock").toString(), "--config", conf.toString());
    assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err().lines()).singleElement().asString().startsWith("serve: invalid configuration: ")
        .contains(conf.toString());
  }

  @Test
  void serveWithAMissingConfigurationFailsInOneLine() {
    Path conf = dir.resolve("missing.conf");
    Result r = launch("serve", "--socket", dir.resolve("s.sock").toString(), "--config", conf.toString());
    assertThat(r.code()).isEqualTo(ExitCodes.UNAVAILABLE);
    assertThat(r.err().lines()).containsExactly("serve: no configuration file " + conf);
  }

  @Test
  void aPeerTheServerDoesNotAdmitIsToldWhatTheClosedConnectionLikelyMeans() throws Exception {
    Path sock = dir.resolve("s.sock");
    try (ObjMapper store = StoreOptions.open(null, dir.resolve("data"), true, false);
        io.objmapper.server.ObjectServer server = io.objmapper.server.ObjectServer.builder(store).unixSocket(sock)
            .authorizer(peer -> false).build().start()) {
      for (String[] argv : List.of(new String[] {"get", "--socket", sock.toString(), "/a"},
          new String[] {"ls", "--socket", sock.toString()}, new String[] {"stat", "--socket", sock.toString(), "/a"})) {
        Result r = launch(argv);
        assertThat(r.code()).as(argv[0]).isEqualTo(ExitCodes.UNAVAILABLE);
        assertThat(r.err().lines()).as(argv[0]).containsExactly(argv[0] + ": cannot connect to unix:"
            + sock.toAbsolutePath() + ": the server closed the connection at once (this user may not be on its "
            + "allow lists: --allow-uids, --allow-gids, --tcp-allow; or it is at its connection limit)");
      }
    }
  }

  @Test
  void throughASocketTierNamesAreTheServersEvenWithoutItsConfiguration() throws Exception {
    Path sock = dir.resolve("s.sock");
    Path fast = Files.createDirectories(dir.resolve("fast"));
    Path slow = Files.createDirectories(dir.resolve("slow"));
    String flags = "[\"persistent\", \"readable\", \"writable\", \"migration_src\", \"migration_dst\"]";
    Path conf = Files.writeString(dir.resolve("objmapper.conf"), """
        {"backends": [
          {"name": "fast", "type": "fs", "mount_path": "%s", "perf_factor": 1.0, "flags": %s},
          {"name": "slow", "type": "fs", "mount_path": "%s", "perf_factor": 3.0, "flags": %s}
        ]}
        """.formatted(fast, flags, slow, flags));
    try (ObjMapper store = ObjMapper.open(conf);
        io.objmapper.server.ObjectServer server = io.objmapper.server.ObjectServer.builder(store).unixSocket(sock)
            .build().start()) {
      store.put("/on-slow", new byte[] {1, 2});
      store.move("/on-slow", "slow");
      Result put = launch("put", "--socket", sock.toString(), "/new", file("n", "abc").toString());
      assertThat(put.out()).as(put.err()).isEqualTo("/new\t3\tfast\n"); // not "memory": the client's default guess
      assertThat(launch("ls", "--socket", sock.toString()).out().lines())
          .containsExactly("/new\t3\tfast", "/on-slow\t2\tslow");
      assertThat(launch("stat", "--socket", sock.toString(), "/on-slow").out()).contains("\"tier\":\"slow\"");
    }
  }

  @Test
  void getFromAMissingSocketNamesIt() {
    Path sock = dir.resolve("none.sock");
    Result r = launch("get", "--socket", sock.toString(), "/a");
    assertThat(r.code()).isEqualTo(ExitCodes.UNAVAILABLE);
    assertThat(r.err().lines()).singleElement().asString().startsWith("get: cannot connect to unix:" + sock + ": ");
  }

  @Test
  void benchAgainstAMissingSocketNamesItInOneLine() {
    Path sock = dir.resolve("none.sock");
    Result r = launch("bench", "--socket", sock.toString(), "--seconds", "1", "--warmup", "0", "/a");
    assertThat(r.code()).isEqualTo(ExitCodes.UNAVAILABLE);
    assertThat(r.err().lines()).singleElement().asString().startsWith("bench: connection to unix:" + sock + " failed: ");
  }

  @Test
  void benchDeeperThanTheServerGrantsIsAUsageErrorNamingTheGrantedDepth() throws Exception {
    Path sock = dir.resolve("s.sock");
    try (ObjMapper store = StoreOptions.open(null, dir.resolve("data"), true, false);
        io.objmapper.server.ObjectServer server = io.objmapper.server.ObjectServer.builder(store).unixSocket(sock)
            .maxPipeline(8).build().start()) {
      store.put("/a", new byte[] {1});
      Result r = launch("bench", "--socket", sock.toString(), "--depth", "9", "--seconds", "1", "--warmup", "0", "/a");
      assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
      assertThat(r.err().lines()).containsExactly("bench: --depth 9: the server grants at most 8 outstanding requests "
          + "per connection (its protocol.max_pipeline); use --depth 8 or less");
    }
  }

  @Test
  void aStaleSnapshotOfARunningServerIsSaidToBeStale() throws Exception {
    Path data = dir.resolve("data");
    try (ObjMapper held = StoreOptions.open(null, data, true, false)) {
      Files.writeString(data.resolve("disk").resolve(StatsSnapshot.FILE_NAME),
          "{\"tiers\":[],\"lifecycle\":{},\"live\":true,\"pid\":" + ProcessHandle.current().pid()
              + ",\"as_of\":\"2000-01-01T00:00:00Z\"}\n");
      Result r = launch("stats", "--data", data.toString());
      assertThat(r.code()).isZero();
      JsonNode json = r.json();
      assertThat(json.get("live").asBoolean()).isFalse();
      assertThat(json.get("stale").asBoolean()).isTrue();
      assertThat(json.get("age_ms").asLong()).isGreaterThan(StatsSnapshot.STALE_AFTER_MILLIS);
      assertThat(r.err().lines()).singleElement().asString()
          .startsWith("stats: the snapshot of serve (pid " + ProcessHandle.current().pid() + ") is stale: written "
              + "2000-01-01T00:00:00Z");
    }
  }
}
