package io.objmapper.examples.embed;

import static io.objmapper.spi.TierFlag.PERSISTENT;
import static io.objmapper.spi.TierFlag.READABLE;
import static io.objmapper.spi.TierFlag.WRITABLE;
import static java.nio.charset.StandardCharsets.UTF_8;

import io.objmapper.ObjMapper;
import io.objmapper.client.ObjMapperClient;
import io.objmapper.client.RemoteObject;
import io.objmapper.server.ObjectServer;
import io.objmapper.spi.TierConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * For a <b>host application that embeds the server</b>: it owns a store and, in one call,
 * serves it to other processes on a Unix socket; they receive open descriptors, not bytes.
 *
 * <pre>{@code
 * try (ObjMapper store = ObjMapper.builder().tier(disk).build();
 *      ObjectServer server = ObjectServer.start(store, socket)) {
 *   // serving until closed
 * }
 * }</pre>
 *
 * <p>Here the "other process" is an {@link ObjMapperClient} in the same JVM, which fetches an
 * object and reads it through the descriptor it received. Then the client, the server and
 * the store shut down in that order; the server removes its socket file.
 *
 * <pre>
 * serving on /tmp/objmapper-embedded-123/objmapper.sock
 * /hello.txt: 21 bytes through a passed descriptor: hello from the server
 * shut down; socket removed: true
 * </pre>
 *
 * <p>A Unix socket path holds at most 107 bytes on Linux ({@code sun_path}); the example puts
 * the socket in a short temporary directory when {@code workDir} is too deep for it.
 */
public final class EmbeddedServerExample {
  /** Longest socket path the example uses, in bytes, well below the 107 Linux allows. */
  static final int MAX_SOCKET_PATH_BYTES = 100;

  /**
   * What the client received.
   *
   * @param content the object's bytes, read through the descriptor
   * @param descriptorPassed whether an open descriptor came over the socket (not a copy)
   * @param socket where the server listened
   */
  public record Result(String content, boolean descriptorPassed, Path socket) {}

  private EmbeddedServerExample() {}

  /** Runs the example in a temporary directory, printing to standard output. */
  public static void main(String[] args) throws IOException {
    Path workDir = Files.createTempDirectory("objmapper-embedded-");
    try {
      run(workDir, System.out);
    } finally {
      TempDirs.deleteRecursively(workDir);
    }
  }

  /** Runs the example with its data (and, if short enough, its socket) in {@code workDir}. */
  public static Result run(Path workDir, PrintStream out) throws IOException {
    Path socket = workDir.toAbsolutePath().resolve("objmapper.sock");
    Path socketDir = null;
    if (socket.toString().getBytes(UTF_8).length > MAX_SOCKET_PATH_BYTES) {
      socketDir = Files.createTempDirectory("om");
      socket = socketDir.resolve("s.sock");
    }
    TierConfig disk = TierConfig.builder()
        .name("disk")
        .type("fs")
        .root(workDir.resolve("data"))
        .option("create_root", "true")
        .flags(PERSISTENT, READABLE, WRITABLE)
        .build();
    try (ObjMapper store = ObjMapper.builder().tier(disk).build()) {
      store.put("/hello.txt", "hello from the server".getBytes(UTF_8));

      String content;
      boolean descriptorPassed;
      try (ObjectServer server = ObjectServer.start(store, socket)) {
        out.println("serving on " + server.unixSocketPath());

        // What another process does: connect, ask by name, read through the descriptor.
        try (ObjMapperClient client = ObjMapperClient.unix(socket).connect();
            RemoteObject object = client.get("/hello.txt")) {
          descriptorPassed = object.hasDescriptor();
          content = new String(readAll(object), UTF_8);
          out.printf("%s: %d bytes through a %s: %s%n", object.uri(), object.size(),
              descriptorPassed ? "passed descriptor" : "copy", content);
        }
      }
      out.println("shut down; socket removed: " + Files.notExists(socket));
      return new Result(content, descriptorPassed, socket);
    } finally {
      if (socketDir != null) {
        TempDirs.deleteRecursively(socketDir);
      }
    }
  }

  /** Reads a received object through its descriptor when it has one. */
  private static byte[] readAll(RemoteObject object) throws IOException {
    if (!object.hasDescriptor()) {
      return object.bytes();
    }
    FileChannel ch = object.channel(); // read-only; closed with the object
    ByteBuffer buf = ByteBuffer.allocate((int) object.size());
    while (buf.hasRemaining() && ch.read(buf, buf.position()) >= 0) {
      // keep reading until the buffer is full
    }
    return buf.array();
  }
}
