package io.objmapper.examples.cli;

import static io.objmapper.examples.cli.LauncherProcess.NO_INPUT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.objmapper.ObjectNotFoundException;
import io.objmapper.client.ObjMapperClient;
import io.objmapper.client.RemoteObject;
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

/** The launcher's {@code serve} as a real child process: signals, restarts, kill -9. */
class ServeProcessTest {

  Path dir;
  Path sock;
  Path data;
  Path in;
  final List<Process> started = new ArrayList<>();

  @BeforeEach
  void setUp() throws IOException {
    dir = Files.createTempDirectory("om");
    sock = dir.resolve("s.sock");
    data = dir.resolve("data");
    in = Files.createDirectories(dir.resolve("in"));
  }

  @AfterEach
  void tearDown() throws Exception {
    for (Process p : started) {
      LauncherProcess.stop(p); // SIGTERM: a server still running shuts down and removes its memory tier
      // A server killed with SIGKILL cannot remove its memory tier's directory: do it here.
      try (Stream<Path> shm = Files.list(Path.of("/dev/shm"))) {
        for (Path d : (Iterable<Path>) shm.filter(
            x -> x.getFileName().toString().startsWith("objmapper-" + p.pid() + "-"))::iterator) {
          try (Stream<Path> s = Files.walk(d)) {
            s.sorted(Comparator.reverseOrder()).forEach(x -> x.toFile().delete());
          }
        }
      }
    }
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  private Process serve(String... extra) throws IOException {
    List<String> cmd = LauncherProcess.command();
    cmd.add("serve");
    cmd.add("--socket");
    cmd.add(sock.toString());
    cmd.add("--data");
    cmd.add(data.toString());
    cmd.addAll(List.of(extra));
    Process p = new ProcessBuilder(cmd).redirectInput(NO_INPUT).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    started.add(p);
    return p;
  }

  private static String awaitListening(Process p) throws IOException {
    BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line = r.readLine();
    assertThat(line).as("first line of serve").isNotNull().startsWith("listening on unix:");
    return line;
  }

  private String fetch(String uri) throws IOException {
    try (ObjMapperClient c = ObjMapperClient.unix(sock).connect();
        RemoteObject o = c.get(uri)) {
      return new String(o.bytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void serveImportsAnnouncesServesAndExitsZeroOnSigterm() throws Exception {
    Files.writeString(in.resolve("a.txt"), "alpha");
    Files.createDirectories(in.resolve("sub"));
    Files.writeString(in.resolve("sub/b.txt"), "beta");
    Process p = serve("--import", in.toString());
    assertThat(awaitListening(p)).isEqualTo("listening on unix:" + sock.toAbsolutePath());
    assertThat(fetch("/a.txt")).isEqualTo("alpha");
    assertThat(fetch("/sub/b.txt")).isEqualTo("beta");
    p.destroy(); // SIGTERM
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isZero();
    assertThat(sock).doesNotExist();
  }

  @Test
  void serveAnswersUdpAndLimitsConnectionsPerPeerWhenAsked() throws Exception {
    Files.writeString(in.resolve("u.txt"), "over udp");
    Process p = serve("--import", in.toString(), "--udp", "127.0.0.1:0", "--max-connections-per-peer", "1",
        "--write-timeout-ms", "500", "--io-threads", "1");
    String line = awaitListening(p);
    assertThat(line).matches("listening on unix:\\S+ udp:127\\.0\\.0\\.1:\\d+");
    int port = Integer.parseInt(line.substring(line.lastIndexOf(':') + 1));
    try (java.net.DatagramSocket d = new java.net.DatagramSocket()) {
      d.setSoTimeout(30_000); // a lost datagram fails the test instead of hanging it
      byte[] req = {'2', 0, 6, '/', 'u', '.', 't', 'x', 't'};
      d.send(new java.net.DatagramPacket(req, req.length, new java.net.InetSocketAddress("127.0.0.1", port)));
      byte[] buf = new byte[2048];
      java.net.DatagramPacket answer = new java.net.DatagramPacket(buf, buf.length);
      d.receive(answer);
      assertThat(buf[0]).as("status").isZero();
      int metaLen = ((buf[9] & 0xFF) << 8) | (buf[10] & 0xFF);
      assertThat(new String(buf, 11 + metaLen, answer.getLength() - 11 - metaLen, StandardCharsets.UTF_8))
          .isEqualTo("over udp");
    }
    try (ObjMapperClient first = ObjMapperClient.unix(sock).connect()) {
      try (RemoteObject o = first.get("/u.txt")) {
        assertThat(o.size()).isEqualTo(8);
      }
      assertThatThrownBy(() -> fetch("/u.txt")).as("a second connection of this uid is closed")
          .isInstanceOf(IOException.class);
    }
    assertThat(fetchOnceAdmitted("/u.txt")).as("served once the first is gone").isEqualTo("over udp");
  }

  /**
   * {@link #fetch}, again while the connection is closed at once: the server frees the first
   * connection's place when its I/O thread sees that connection end, which a new connection
   * accepted meanwhile can overtake.
   */
  private String fetchOnceAdmitted(String uri) throws IOException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      try {
        return fetch(uri);
      } catch (IOException refused) {
        if (System.nanoTime() - deadline > 0) {
          throw refused;
        }
        Thread.onSpinWait();
      }
    }
  }

  @Test
  void objectsSurviveARestart() throws Exception {
    Files.writeString(in.resolve("keep.txt"), "kept");
    Process first = serve("--import", in.toString());
    awaitListening(first);
    first.destroy();
    assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
    Process second = serve();
    awaitListening(second);
    assertThat(fetch("/keep.txt")).isEqualTo("kept");
  }

  @Test
  void killDashNineDuringImportLeavesOnlyWholeObjects() throws Exception {
    int n = 400;
    for (int i = 0; i < n; i++) {
      Files.writeString(in.resolve("o" + i), ("object " + i + " ").repeat(50));
    }
    Process first = serve("--import", in.toString());
    // Kill it while it is importing, or just after: either way no object may be torn.
    BufferedReader r = new BufferedReader(new InputStreamReader(first.getInputStream(), StandardCharsets.UTF_8));
    first.destroyForcibly(); // SIGKILL
    assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
    r.close();
    Files.deleteIfExists(sock);
    Process second = serve();
    awaitListening(second);
    for (int i = 0; i < n; i++) {
      try {
        assertThat(fetch("/o" + i)).isEqualTo(("object " + i + " ").repeat(50));
      } catch (ObjectNotFoundException e) {
        // never imported before the kill: absent is fine, torn is not
      }
    }
    second.destroy();
    assertThat(second.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(second.exitValue()).isZero();
    Process third = serve("--import", in.toString());
    awaitListening(third);
    for (int i = 0; i < n; i += 37) {
      assertThat(fetch("/o" + i)).isEqualTo(("object " + i + " ").repeat(50));
    }
  }
}
