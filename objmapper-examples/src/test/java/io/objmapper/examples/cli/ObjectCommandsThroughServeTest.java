package io.objmapper.examples.cli;

import static io.objmapper.examples.cli.LauncherProcess.NO_INPUT;
import static io.objmapper.examples.cli.LauncherStoreCommandsTest.launch;
import static org.assertj.core.api.Assertions.assertThat;

import io.objmapper.client.ObjMapperClient;
import io.objmapper.client.RemoteObject;
import io.objmapper.examples.cli.LauncherStoreCommandsTest.Result;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code put}, {@code rm}, {@code import}, {@code ls} and {@code stat} while a {@code serve} (a child process) holds the
 * store: they go through its socket, the default one in the working directory or
 * {@code --socket}, instead of failing on the store's lock.
 */
@Timeout(180)
class ObjectCommandsThroughServeTest {

  Path dir;
  Path sock;
  Path data;
  final List<Process> started = new ArrayList<>();

  @BeforeEach
  void setUp() throws IOException {
    dir = Files.createTempDirectory("om");
    sock = dir.resolve(ObjectCommands.DEFAULT_SOCKET_NAME);
    data = dir.resolve("data");
  }

  @AfterEach
  void tearDown() throws Exception {
    for (Process p : started) {
      LauncherProcess.stop(p);
    }
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  /** The launcher as a child process in {@code dir}. */
  private Process launcher(String... args) throws IOException {
    List<String> cmd = LauncherProcess.command();
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectInput(NO_INPUT).start();
    started.add(p);
    return p;
  }

  private Process serve() throws IOException {
    Process p = launcher("serve", "--data", data.toString());
    BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    assertThat(r.readLine()).as("first line of serve").isEqualTo("listening on unix:" + sock.toAbsolutePath());
    return p;
  }

  /** Runs a launcher command to its end: exit code, stdout, stderr. */
  private Result run(String... args) throws Exception {
    Process p = launcher(args);
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Result(p.exitValue(), out, err);
  }

  private String fetch(String uri) throws IOException {
    try (ObjMapperClient c = ObjMapperClient.unix(sock).connect(); RemoteObject o = c.get(uri)) {
      return new String(o.bytes(), StandardCharsets.UTF_8);
    }
  }

  private boolean exists(String uri) throws IOException {
    try (ObjMapperClient c = ObjMapperClient.unix(sock).connect(); RemoteObject o = c.get(uri)) {
      return true;
    } catch (io.objmapper.ObjectNotFoundException e) {
      return false;
    }
  }

  @Test
  void putAndRmGoThroughTheDefaultSocketOfTheServeHoldingTheStore() throws Exception {
    serve();
    Path file = Files.writeString(dir.resolve("a.txt"), "alpha");
    Result put = run("put", "--data", data.toString(), "/notes/a.txt", file.toString());
    assertThat(put.code()).as(put.err()).isZero();
    assertThat(put.out().lines()).containsExactly("/notes/a.txt\t5\tdisk");
    // Listed before any read: a read may leave a cached copy on the faster memory tier, which ls would show.
    Result ls = run("ls", "--data", data.toString());
    assertThat(ls.code()).as(ls.err()).isZero();
    assertThat(ls.out().lines()).containsExactly("/notes/a.txt\t5\tdisk");
    assertThat(fetch("/notes/a.txt")).isEqualTo("alpha");

    Result rm = run("rm", "--data", data.toString(), "/notes/a.txt");
    assertThat(rm.code()).isZero();
    assertThat(exists("/notes/a.txt")).isFalse();
    Result again = run("rm", "--data", data.toString(), "/notes/a.txt");
    assertThat(again.code()).isEqualTo(ExitCodes.FAILED);
    assertThat(again.err().lines()).contains("rm: not found: /notes/a.txt");
  }

  @Test
  void importAndPutThroughTheServerNameAFifoOrLinkAndNeverWaitOnIt() throws Exception {
    serve();
    Path tree = Files.createDirectories(dir.resolve("tree"));
    Files.writeString(tree.resolve("a.txt"), "alpha");
    Files.createSymbolicLink(tree.resolve("link"), tree.resolve("a.txt"));
    Process mkfifo = new ProcessBuilder("mkfifo", tree.resolve("fifo").toString()).start();
    assertThat(mkfifo.waitFor()).isZero();

    Result imported = launch("import", "--socket", sock.toString(), "--prefix", "/f", tree.toString());
    assertThat(imported.code()).isEqualTo(ExitCodes.FAILED);
    assertThat(imported.out()).startsWith("imported 1 objects (5 bytes) from ");
    assertThat(imported.err().lines()).contains(
        "import: skipped " + tree.resolve("link") + ": a symbolic link",
        "import: skipped " + tree.resolve("fifo") + ": not a regular file (a FIFO, socket or device)");

    Result put = launch("put", "--socket", sock.toString(), "/p", tree.resolve("fifo").toString());
    assertThat(put.code()).isEqualTo(ExitCodes.LOCAL_FILE);
    assertThat(put.err().lines()).singleElement().asString().startsWith("put: ").contains("not a regular file");
    assertThat(exists("/p")).isFalse();
    assertThat(exists("/f/a.txt")).isTrue();
  }

  @Test
  void withSocketPutImportAndRmGoThereAndRefusalsAreOneLineNamingIt() throws Exception {
    serve();
    Path file = Files.writeString(dir.resolve("b.txt"), "beta");
    Path tree = Files.createDirectories(dir.resolve("tree/sub"));
    Files.writeString(tree.resolve("c.txt"), "gamma");
    Files.writeString(dir.resolve("tree/d.txt"), "delta");

    Result put = launch("put", "--socket", sock.toString(), "--pinned", "/b.txt", file.toString());
    assertThat(put.code()).as(put.err()).isZero();
    assertThat(put.out().lines()).containsExactly("/b.txt\t4\tdisk");
    Result imported = launch("import", "--socket", sock.toString(), "--prefix", "/t", dir.resolve("tree").toString());
    assertThat(imported.code()).as(imported.err()).isZero();
    assertThat(imported.out()).startsWith("imported 2 objects (10 bytes) from ");
    Result ls = launch("ls", "--socket", sock.toString(), "/t/");
    assertThat(ls.code()).as(ls.err()).isZero();
    assertThat(ls.out().lines()).containsExactly("/t/d.txt\t5\tdisk", "/t/sub/c.txt\t5\tdisk");
    Result json = launch("ls", "--socket", sock.toString(), "--json", "/b");
    assertThat(json.out().lines()).containsExactly("{\"name\":\"/b.txt\",\"size\":4,\"tier\":\"disk\"}");
    Result stat = launch("stat", "--socket", sock.toString(), "/b.txt");
    assertThat(stat.code()).as(stat.err()).isZero();
    assertThat(stat.out()).contains("\"name\":\"/b.txt\"", "\"tier_id\":1", "\"pinned\":true");
    Result missing = launch("stat", "--socket", sock.toString(), "/nope");
    assertThat(missing.code()).isEqualTo(ExitCodes.FAILED);
    // Read after listing: a read may leave a cached copy on the faster memory tier, which ls would show.
    assertThat(fetch("/t/sub/c.txt")).isEqualTo("gamma");
    assertThat(fetch("/t/d.txt")).isEqualTo("delta");
    Result rm = launch("rm", "--socket", sock.toString(), "/b.txt", "/t/d.txt");
    assertThat(rm.code()).isZero();
    assertThat(exists("/b.txt")).isFalse();

    Path nowhere = dir.resolve("nowhere.sock");
    Result refused = launch("put", "--socket", nowhere.toString(), "/x", file.toString());
    assertThat(refused.code()).isEqualTo(ExitCodes.UNAVAILABLE);
    assertThat(refused.err().lines()).singleElement().asString()
        .startsWith("put: cannot connect to unix:" + nowhere.toAbsolutePath());
    Result badName = launch("rm", "--socket", sock.toString(), "/../x");
    assertThat(badName.code()).isEqualTo(ExitCodes.USAGE);
  }
}
