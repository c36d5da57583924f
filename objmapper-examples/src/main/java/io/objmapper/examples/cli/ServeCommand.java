package io.objmapper.examples.cli;

import io.objmapper.server.DirectoryHandler;
import io.objmapper.server.ObjectServer;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sun.misc.Signal;

/** {@code serve}: runs the server until SIGTERM or SIGINT, then shuts down gracefully. */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = "Serve objects on a Unix socket (and optionally TCP) until SIGTERM.")
public final class ServeCommand implements Callable<Integer> {
  /** Where the sample objects live in a checkout. */
  static final Path SAMPLE_OBJECTS = Path.of("src-test-data", "objects");

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--socket", paramLabel = "PATH", description = "Unix socket path (default: ${DEFAULT-VALUE}).",
      defaultValue = "objmapper.sock")
  Path socket;

  @Option(names = "--tcp", paramLabel = "HOST:PORT", description = "Also serve COPY mode over TCP.")
  String tcp;

  @Option(names = "--import", paramLabel = "DIR",
      description = "Serve every regular file under DIR as the object /<relative path> "
          + "(default: the sample objects, src-test-data/objects).")
  Path importDir;

  @Option(names = "--c-compat", description = "The C server's write behaviour: create on miss, /delete/<uri>.")
  boolean cCompat;

  @Override
  public Integer call() throws Exception {
    Path dir = importDir;
    if (dir == null) {
      if (!Files.isDirectory(SAMPLE_OBJECTS)) {
        throw new CommandLine.ParameterException(spec.commandLine(),
            "no --import DIR given and " + SAMPLE_OBJECTS + " is not here: run from the checkout or pass --import");
      }
      dir = SAMPLE_OBJECTS;
    } else if (!Files.isDirectory(dir)) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--import: not a directory: " + dir);
    }
    ObjectServer.Builder b = ObjectServer.builder(new DirectoryHandler(dir))
        .unixSocket(socket.toAbsolutePath())
        .cCompat(cCompat);
    if (tcp != null) {
      b.tcp(Endpoints.hostPort(tcp, spec.commandLine()));
    }
    CountDownLatch stop = new CountDownLatch(1);
    Signal.handle(new Signal("TERM"), s -> stop.countDown());
    Signal.handle(new Signal("INT"), s -> stop.countDown());
    try (ObjectServer server = b.build().start()) {
      StringBuilder line = new StringBuilder("listening on unix:").append(server.unixSocketPath());
      InetSocketAddress t = server.tcpAddress();
      if (t != null) {
        line.append(" tcp:").append(ObjectServer.hostPort(t));
      }
      System.out.println(line);
      System.out.flush();
      stop.await();
    }
    System.out.println("stopped");
    return 0;
  }
}
