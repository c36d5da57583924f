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
 * 3 the connection failed (the socket or address is named), 4 OUTFILE cannot be written.
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
    String endpoint;
    if (overTcp) {
      InetSocketAddress a = Endpoints.hostPort(target.tcp, spec.commandLine());
      b = ObjMapperClient.tcp(a.getHostString(), a.getPort());
      endpoint = "tcp:" + target.tcp;
    } else {
      Path socket = target.socket != null ? target.socket : Path.of("objmapper.sock");
      b = ObjMapperClient.unix(socket);
      endpoint = "unix:" + socket.toAbsolutePath();
    }
    b.version(v1 ? 1 : 2);
    ObjMapperClient client;
    try {
      client = b.connect();
    } catch (IOException e) {
      throw ExitCodes.cannotConnect(endpoint, e);
    }
    try (client; RemoteObject obj = fetch(client, m, endpoint)) {
      if (outFile != null) {
        FileChannel out;
        try {
          out = FileChannel.open(outFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
              StandardOpenOption.TRUNCATE_EXISTING);
        } catch (IOException e) {
          throw new ExitCodes.CommandFailure(ExitCodes.LOCAL_FILE, "cannot write " + outFile + ": "
              + StoreOptions.describe(e), e);
        }
        try (out) {
          obj.writeTo(out);
        } catch (IOException e) {
          throw new ExitCodes.CommandFailure(ExitCodes.LOCAL_FILE, "cannot write " + outFile + ": "
              + StoreOptions.describe(e), e);
        }
      } else {
        WritableByteChannel out = Channels.newChannel(new FileOutputStream(java.io.FileDescriptor.out));
        try {
          obj.writeTo(out);
        } catch (IOException e) {
          throw new ExitCodes.CommandFailure(ExitCodes.LOCAL_FILE, "cannot write to stdout: "
              + StoreOptions.describe(e), e);
        }
        System.out.flush();
      }
      return ExitCodes.OK;
    } catch (IOException e) { // closing the connection
      throw new ExitCodes.CommandFailure(ExitCodes.UNAVAILABLE, "connection to " + endpoint + " failed: "
          + StoreOptions.describe(e), e);
    }
  }

  /** The object: an error status ends the command with exit 1, a broken connection with 3. */
  private RemoteObject fetch(ObjMapperClient client, Mode m, String endpoint) {
    try {
      return client.get(uri, m);
    } catch (ObjMapperException e) {
      throw new ExitCodes.CommandFailure(ExitCodes.FAILED, e.code() + ": " + e.getMessage() + " (" + uri + " from "
          + endpoint + ")", e);
    } catch (IOException e) {
      throw new ExitCodes.CommandFailure(ExitCodes.UNAVAILABLE, "connection to " + endpoint + " failed: "
          + StoreOptions.describe(e), e);
    }
  }
}
