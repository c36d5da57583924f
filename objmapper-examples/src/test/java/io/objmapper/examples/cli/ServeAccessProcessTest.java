package io.objmapper.examples.cli;

import static io.objmapper.examples.cli.LauncherProcess.NO_INPUT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.objmapper.ErrorCode;
import io.objmapper.ObjMapperException;
import io.objmapper.client.ObjMapperClient;
import io.objmapper.client.RemoteObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code serve}'s access flags as a child process: the socket's mode, who may connect (uids,
 * TCP sources), who may write, the refusals counted in {@code /metrics}, and a TCP listener
 * open to other hosts refused at start with one line and exit code 2.
 */
class ServeAccessProcessTest {
  private static final Pattern LISTENING =
      Pattern.compile("listening on unix:(\\S+) tcp:127\\.0\\.0\\.1:(\\d+) metrics:(http://127\\.0\\.0\\.1:\\d+/metrics)");

  Path dir;
  Path sock;
  Path in;
  final List<Process> started = new ArrayList<>();

  @BeforeEach
  void setUp() throws IOException {
    dir = Files.createTempDirectory("om");
    sock = dir.resolve("s.sock");
    in = Files.createDirectories(dir.resolve("in"));
    Files.writeString(in.resolve("a.txt"), "alpha");
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

  private Process serve(ProcessBuilder.Redirect stderr, String... extra) throws IOException {
    List<String> cmd = LauncherProcess.command();
    cmd.addAll(List.of("serve",
        "--socket", sock.toString(), "--data", dir.resolve("data").toString(), "--import", in.toString()));
    cmd.addAll(List.of(extra));
    Process p = new ProcessBuilder(cmd).redirectInput(NO_INPUT).redirectError(stderr).start();
    started.add(p);
    return p;
  }

  private static long own(String attribute) throws IOException {
    return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:" + attribute)).longValue();
  }

  @Test
  void theFlagsSetTheSocketModeWhoConnectsAndWhoWritesAndRefusalsAreCounted() throws Exception {
    long uid = own("uid");
    Process p = serve(ProcessBuilder.Redirect.DISCARD, "--socket-mode", "0600", "--allow-uids", (uid + 1) + "," + uid,
        "--c-compat", "--writer-uids", "", "--tcp", "127.0.0.1:0", "--tcp-allow", "10.0.0.0/8",
        "--metrics", "127.0.0.1:0");
    String line = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
    assertThat(line).as("first line of serve").isNotNull();
    Matcher m = LISTENING.matcher(line);
    assertThat(m.matches()).as(line).isTrue();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(sock))).isEqualTo("rw-------");

    try (ObjMapperClient c = ObjMapperClient.unix(sock).connect()) {
      try (RemoteObject o = c.get("/a.txt")) {
        assertThat(new String(o.bytes(), StandardCharsets.UTF_8)).as("a reader is served").isEqualTo("alpha");
      }
      assertThatThrownBy(() -> c.get("/new").close()).as("no uid writes: a create is denied")
          .isInstanceOfSatisfying(ObjMapperException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.PERMISSION_DENIED);
            assertThat(e.getMessage()).contains("writer_uids");
          });
    }

    try (Socket s = new Socket("127.0.0.1", Integer.parseInt(m.group(2)))) {
      int got;
      try {
        got = s.getInputStream().read();
      } catch (IOException e) {
        got = -1;
      }
      assertThat(got).as("127.0.0.1 is not in --tcp-allow: closed").isEqualTo(-1);
    }
    HttpClient http = HttpClient.newHttpClient();
    URI metrics = URI.create(m.group(3));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    String body;
    do {
      body = http.send(HttpRequest.newBuilder(metrics).build(), HttpResponse.BodyHandlers.ofString()).body();
    } while (!body.contains("objmapper_server_refused_total{reason=\"tcp_source\"} 1.0") && System.nanoTime() < deadline);
    assertThat(body).contains("objmapper_server_refused_total{reason=\"tcp_source\"} 1.0",
        "objmapper_server_refused_total{reason=\"unix_peer\"} 0.0");
  }

  @Test
  void aTcpListenerOnEveryAddressWithoutAnAllowListIsOneLineAndExitCodeTwo() throws Exception {
    Path err = dir.resolve("err.txt");
    Process p = serve(ProcessBuilder.Redirect.to(err.toFile()), "--tcp", "0.0.0.0:0");
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(ExitCodes.USAGE);
    List<String> lines = Files.readAllLines(err).stream().filter(l -> l.startsWith("serve:")).toList();
    assertThat(lines).hasSize(1);
    assertThat(lines.get(0)).startsWith("serve: the TCP listener 0.0.0.0:0 is not on a loopback address")
        .contains("server.tcp_allow", "--tcp-allow");
    assertThat(sock).as("nothing was bound").doesNotExist();
  }

  @Test
  void badAccessFlagsAreUsageErrorsFoundBeforeTheStoreIsOpened() {
    for (String[] flag : List.of(new String[] {"--socket-mode", "0999"}, new String[] {"--socket-mode", "4755"},
        new String[] {"--allow-uids", "alice"}, new String[] {"--allow-gids", "-1"},
        new String[] {"--tcp-allow", "example.com"}, new String[] {"--writer-uids", "4294967296"},
        new String[] {"--writer-gids", "x"})) {
      LauncherStoreCommandsTest.Result r = LauncherStoreCommandsTest.launch("serve", "--socket", sock.toString(),
          "--data", dir.resolve("data").toString(), flag[0], flag[1]);
      assertThat(r.code()).as(flag[0] + " " + flag[1]).isEqualTo(ExitCodes.USAGE);
      assertThat(r.err()).as(flag[0] + " " + flag[1]).startsWith("serve: " + flag[0] + ": ").contains(flag[1]);
      assertThat(dir.resolve("data")).doesNotExist();
    }
  }
}
