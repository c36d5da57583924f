package io.objmapper.examples.cli;

import io.objmapper.protocol.Mode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code bench}: the load generator. Drives a running server with N connections of D
 * outstanding FDPASS (or COPY) requests each, and reports requests/s and latency percentiles.
 * {@code --baseline} first drives two bare descriptor ping-pong servers (each started as its
 * own process, like the real server) the same way: {@code bare-shared} passes one open
 * descriptor to every answer, {@code bare-open} opens the file for every answer. Then it
 * drives objmapper with a private descriptor per answer (ratio to {@code bare-open}) and,
 * over V2, with SHARED_FD asked for (ratio to {@code bare-shared}). With hostile load
 * ({@code --idle}, {@code --idle-tcp}, {@code --stall-v2}, {@code --stall-v1}) it measures
 * the same client without and then with that load, and {@code --cold} then times V2 requests
 * for objects not yet open, one at a time, while the load goes on.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Load generator: requests/s and p50/p99/p999 latency of FDPASS or COPY requests, "
        + "optionally beside idle connections and clients that never read.")
public final class BenchCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--socket", paramLabel = "PATH", defaultValue = "objmapper.sock",
      description = "The server to drive (default: ${DEFAULT-VALUE}).")
  Path socket;

  @Option(names = "--connections", defaultValue = "1", description = "Connections, one thread each (default: ${DEFAULT-VALUE}).")
  int connections;

  @Option(names = "--depth", defaultValue = "1", description = "Outstanding requests per V2 connection (default: ${DEFAULT-VALUE}).")
  int depth;

  @Option(names = "--v1", description = "Speak protocol V1 (one request at a time).")
  boolean v1;

  @Option(names = "--seconds", defaultValue = "5", description = "Measured seconds per run (default: ${DEFAULT-VALUE}).")
  double seconds;

  @Option(names = "--warmup", defaultValue = "5", description = "Unmeasured warm-up seconds per run (default: ${DEFAULT-VALUE}).")
  double warmup;

  @Option(names = "--baseline", description = "Also drive bare junixsocket FD ping-pong servers (one shared descriptor; "
      + "a file opened per answer) and print the ratios; over V2 also drive objmapper with SHARED_FD.")
  boolean baseline;

  @Option(names = "--mode", defaultValue = "fd", description = "fd (FDPASS) or copy (COPY; the content is read) (default: ${DEFAULT-VALUE}).")
  String mode;

  @Option(names = "--tcp", paramLabel = "HOST:PORT", description = "The server's TCP address, for --idle-tcp.")
  String tcp;

  @Option(names = "--idle", defaultValue = "0", paramLabel = "N", description = "Idle Unix connections held open meanwhile.")
  int idle;

  @Option(names = "--idle-tcp", defaultValue = "0", paramLabel = "N", description = "Idle TCP connections held open meanwhile (needs --tcp).")
  int idleTcp;

  @Option(names = "--stall-v2", defaultValue = "0", paramLabel = "N",
      description = "V2 clients pipelining COPY requests they never read, meanwhile.")
  int stallV2;

  @Option(names = "--stall-v1", defaultValue = "0", paramLabel = "N",
      description = "V1 clients sending COPY requests they never read, meanwhile.")
  int stallV1;

  @Option(names = "--stall-uri", paramLabel = "URI", description = "What the stalling clients request (default: the first URI; a large object fills their sockets sooner).")
  String stallUri;

  @Option(names = "--cold", paramLabel = "PREFIX",
      description = "Under the load, request PREFIX0, PREFIX1, ... (objects not yet open) over V2, one at a time.")
  String coldPrefix;

  @Option(names = "--cold-count", defaultValue = "100", paramLabel = "N", description = "How many --cold objects (default: ${DEFAULT-VALUE}).")
  int coldCount;

  @Option(names = "--shared-fd", description = "Ask for SHARED_FD in HELLO (V2): trusted peers then get the server's "
      + "cached description instead of one of their own.")
  boolean sharedFd;

  @Parameters(arity = "1..*", paramLabel = "URI", description = "Objects to request, round-robin.")
  List<String> uris;

  /** One run's outcome. */
  record Result(String target, long requests, double seconds, long errors, Histogram latencies) {
    double rate() {
      return requests / seconds;
    }
  }

  @Override
  public Integer call() throws Exception {
    if (connections < 1 || depth < 1 || depth > 1000 || seconds <= 0 || warmup < 0) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "need --connections >= 1, --depth in 1..1000, --seconds > 0, --warmup >= 0");
    }
    if (v1 && depth != 1) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--v1 is one request at a time: drop --depth");
    }
    if (!mode.equals("fd") && !mode.equals("copy")) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--mode is fd or copy");
    }
    if (idle < 0 || idleTcp < 0 || stallV2 < 0 || stallV1 < 0 || coldCount < 1) {
      throw new CommandLine.ParameterException(spec.commandLine(), "need --idle, --idle-tcp, --stall-v2, --stall-v1 >= 0, --cold-count >= 1");
    }
    if (baseline && mode.equals("copy")) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--baseline passes descriptors: drop --mode copy");
    }
    if (idleTcp > 0 && tcp == null) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--idle-tcp needs --tcp HOST:PORT");
    }
    String[] targets = uris.toArray(new String[0]);
    if (v1 && sharedFd) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--shared-fd needs V2 (a HELLO): drop --v1");
    }
    if (sharedFd && mode.equals("copy")) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--shared-fd passes descriptors: drop --mode copy");
    }
    System.out.printf(Locale.ROOT, "# bench: %d connection(s), %s, %s, depth %d, %.1f s measured after %.1f s warm-up, %d URI(s)%n",
        connections, v1 ? "V1" : "V2", mode.equals("fd") ? "FDPASS" : "COPY", depth, seconds, warmup, targets.length);
    Result bareShared = null;
    Result bareOpen = null;
    if (baseline) {
      bareShared = runBaseline(targets, false);
      print(bareShared, null, null);
      bareOpen = runBaseline(targets, true);
      print(bareOpen, null, null);
    }
    if (idle + idleTcp + stallV2 + stallV1 > 0 || coldPrefix != null) {
      return sharedFd ? underLoad(targets, bareShared, "bare-shared") : underLoad(targets, bareOpen, "bare-open");
    }
    if (!baseline) {
      Result ours = drive(sharedFd ? "shared-fd" : "objmapper", socket, targets, sharedFd);
      print(ours, null, null);
      return ours.errors() > 0 ? 1 : 0;
    }
    Result ours = drive("objmapper", socket, targets, false);
    print(ours, bareOpen, "bare-open");
    long errors = ours.errors();
    if (!v1) {
      Result shared = drive("shared-fd", socket, targets, true);
      print(shared, bareShared, "bare-shared");
      errors += shared.errors();
    }
    return errors > 0 ? 1 : 0;
  }

  /** The same client unloaded, then beside the hostile load; then the cold requests. */
  private int underLoad(String[] targets, Result base, String baseName) throws Exception {
    String name = sharedFd ? "shared-fd " : "";
    Result quiet = drive(name + "unloaded", socket, targets, sharedFd);
    print(quiet, base, baseName);
    try (BenchHostiles hostiles = new BenchHostiles()) {
      InetSocketAddress tcpAddress = tcp != null ? Endpoints.hostPort(tcp, spec.commandLine()) : null;
      hostiles.openIdle(socket, idle, tcpAddress, idleTcp);
      hostiles.startStallers(socket, stallV2, true, stallUri != null ? stallUri : targets[0]);
      hostiles.startStallers(socket, stallV1, false, stallUri != null ? stallUri : targets[0]);
      System.out.printf(Locale.ROOT, "# load: %d idle unix, %d idle tcp, %d V2 and %d V1 clients that never read%n",
          idle, idleTcp, stallV2, stallV1);
      Result loaded;
      try {
        loaded = drive(name + "loaded", socket, targets, sharedFd);
      } catch (IOException e) {
        System.out.println("loaded     REFUSED or cut off: " + e.getMessage());
        return 1;
      }
      print(loaded, base, baseName);
      double p99Quiet = quiet.latencies().getValueAtPercentile(99) / 1e3;
      double p99Loaded = loaded.latencies().getValueAtPercentile(99) / 1e3;
      System.out.printf(Locale.ROOT, "p99 loaded / unloaded: %.1f / %.1f us = %.2f x%n", p99Loaded, p99Quiet,
          p99Loaded / p99Quiet);
      int exit = quiet.errors() + loaded.errors() > 0 ? 1 : 0;
      if (coldPrefix != null) {
        exit |= cold();
      }
      System.out.printf(Locale.ROOT, "stalling clients closed by the server and reconnected: %d%n", hostiles.reconnects.get());
      return exit;
    }
  }
  /** V2 requests for objects not yet open, one at a time: the slowest and the errors. */
  private int cold() throws IOException {
    String[] names = new String[coldCount];
    for (int i = 0; i < coldCount; i++) {
      names[i] = coldPrefix + i;
    }
    Histogram h = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
    long errors;
    try (BenchConnection c = new BenchConnection(socket, true, 1, names, v1 || mode.equals("fd") ? Mode.FDPASS : Mode.COPY)) {
      for (int i = 0; i < coldCount; i++) {
        h.recordValue(Math.max(1, c.once()));
      }
      errors = c.errors;
    }
    System.out.printf(Locale.ROOT, "cold       %d V2 requests for objects not yet open: p50 %.1f us  p99 %.1f us  max %.1f us  errors %d%n",
        coldCount, h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(99) / 1e3, h.getMaxValue() / 1e3, errors);
    return errors > 0 ? 1 : 0;
  }

  private Result runBaseline(String[] targets, boolean openPerAnswer) throws Exception {
    Path dir = Files.createTempDirectory("objmapper-baseline");
    Path sock = dir.resolve("b.sock");
    Path file = dir.resolve("object");
    Files.write(file, new byte[1024]);
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(io.objmapper.examples.Launcher.class.getName());
    cmd.add("baseline-server");
    cmd.add("--socket");
    cmd.add(sock.toString());
    cmd.add("--file");
    cmd.add(file.toString());
    if (openPerAnswer) {
      cmd.add("--open-per-answer");
    }
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    try {
      BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      String line = r.readLine();
      if (line == null || !line.startsWith("listening on ")) {
        throw new IOException("baseline server did not start: " + line);
      }
      return drive(openPerAnswer ? "bare-open" : "bare-shared", sock, targets, false);
    } finally {
      p.destroy();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
      Files.deleteIfExists(sock);
      Files.deleteIfExists(file);
      Files.deleteIfExists(dir);
    }
  }

  private Result drive(String target, Path sock, String[] targets, boolean askSharedFd) throws Exception {
    List<BenchConnection> conns = new ArrayList<>();
    List<Histogram> hists = new ArrayList<>();
    try {
      for (int i = 0; i < connections; i++) {
        BenchConnection c = new BenchConnection(sock, !v1, depth, targets,
            mode.equals("copy") ? Mode.COPY : Mode.FDPASS, askSharedFd);
        conns.add(c);
        if (askSharedFd && !c.sharedFdGranted) {
          throw new IOException("the server did not grant SHARED_FD to this uid");
        }
        hists.add(new Histogram(TimeUnit.SECONDS.toNanos(60), 3));
      }
      long start = System.nanoTime();
      long recordFrom = start + (long) (warmup * 1e9);
      long end = recordFrom + (long) (seconds * 1e9);
      List<Thread> threads = new ArrayList<>();
      Exception[] failure = new Exception[1];
      for (int i = 0; i < connections; i++) {
        BenchConnection c = conns.get(i);
        Histogram h = hists.get(i);
        Thread t = new Thread(() -> {
          try {
            c.run(recordFrom, end, h);
          } catch (IOException e) {
            synchronized (failure) {
              failure[0] = e;
            }
          }
        }, "bench-" + i);
        threads.add(t);
        t.start();
      }
      for (Thread t : threads) {
        t.join();
      }
      if (failure[0] != null) {
        throw failure[0];
      }
      Histogram all = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
      long requests = 0;
      long errors = 0;
      for (int i = 0; i < connections; i++) {
        all.add(hists.get(i));
        requests += conns.get(i).completed;
        errors += conns.get(i).errors;
      }
      return new Result(target, requests, seconds, errors, all);
    } finally {
      for (BenchConnection c : conns) {
        c.close();
      }
    }
  }

  private static void print(Result r, Result base, String baseName) {
    Histogram h = r.latencies();
    System.out.printf(Locale.ROOT, "%-11s %10.0f req/s  p50 %7.1f us  p99 %7.1f us  p999 %7.1f us  errors %d%s%n",
        r.target(), r.rate(), h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(99) / 1e3,
        h.getValueAtPercentile(99.9) / 1e3, r.errors(),
        base != null ? String.format(Locale.ROOT, "  ratio %.2f of %s", r.rate() / base.rate(), baseName) : "");
  }
}
