package io.objmapper.examples.cli;

import io.objmapper.ObjMapperException;
import io.objmapper.client.ObjMapperClient;
import io.objmapper.client.RemoteObject;
import io.objmapper.protocol.Mode;
import java.io.FileOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code get}: fetches one object and writes its content to OUTFILE or stdout. Exit codes:
 * 0 done, 1 the server answered an error status (printed on stderr), 2 bad usage,
 * 3 the connection failed.
 */
@Command(name = "get", mixinStandardHelpOptions = true, description = "Fetch one object.")
public final class GetCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  static final class Target {
    @Option(names = "--socket", paramLabel = "PATH", description = "Unix socket (default: objmapper.sock).")
    Path socket;

    @Option(names = "--tcp", paramLabel = "HOST:PORT", description = "TCP server (COPY mode).")
    String tcp;
  }

  @ArgGroup(exclusive = true)
  Target target = new Target();

  @Option(names = "--v1", description = "Speak protocol V1 (default V2).")
  boolean v1;

  @Option(names = "--mode", paramLabel = "fd|copy",
      description = "fd: receive a descriptor (Unix only); copy: receive the bytes. Default: fd on Unix, copy on TCP.")
  String mode;

  @Parameters(index = "0", paramLabel = "URI", description = "Object name, e.g. /hello.txt")
  String uri;

  @Parameters(index = "1", arity = "0..1", paramLabel = "OUTFILE", description = "Write here instead of stdout.")
  Path outFile;

  @Override
  public Integer call() {
    boolean overTcp = target.tcp != null;
    Mode m;
    if (mode == null) {
      m = overTcp ? Mode.COPY : Mode.FDPASS;
    } else if (mode.equals("fd")) {
      m = Mode.FDPASS;
    } else if (mode.equals("copy")) {
      m = Mode.COPY;
    } else {
      throw new CommandLine.ParameterException(spec.commandLine(), "--mode must be fd or copy, not '" + mode + "'");
    }
    ObjMapperClient.Builder b;
    if (overTcp) {
      InetSocketAddress a = Endpoints.hostPort(target.tcp, spec.commandLine());
      b = ObjMapperClient.tcp(a.getHostString(), a.getPort());
    } else {
      b = ObjMapperClient.unix(target.socket != null ? target.socket : Path.of("objmapper.sock"));
    }
    b.version(v1 ? 1 : 2);
    try (ObjMapperClient client = b.connect();
        RemoteObject obj = client.get(uri, m)) {
      if (outFile != null) {
        try (FileChannel out = FileChannel.open(outFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
          obj.writeTo(out);
        }
      } else {
        WritableByteChannel out = Channels.newChannel(new FileOutputStream(java.io.FileDescriptor.out));
        obj.writeTo(out);
        System.out.flush();
      }
      return 0;
    } catch (ObjMapperException e) {
      System.err.println(e.code() + ": " + e.getMessage());
      return 1;
    } catch (IOException e) {
      System.err.println("connection failed: " + e.getMessage());
      return 3;
    }
  }
}
