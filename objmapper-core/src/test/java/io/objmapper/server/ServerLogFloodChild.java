package io.objmapper.server;

import io.objmapper.ObjMapperException;
import io.objmapper.client.ObjMapperClient;
import io.objmapper.client.RemoteObject;
import java.nio.file.Path;

/**
 * Run by {@link ServerLogFloodTest} in a child JVM (its log goes to stderr): a server whose
 * handler fails on every request (an internal error, logged) answers as many requests for a
 * long name as the second argument says, from one client; the socket goes in the folder given
 * as first argument.
 */
public final class ServerLogFloodChild {
  private ServerLogFloodChild() {}

  public static void main(String[] args) throws Exception {
    Path sock = Path.of(args[0]).resolve("s.sock");
    int requests = Integer.parseInt(args[1]);
    String name = ("/" + "n".repeat(200)).repeat(10); // 2,010 chars: a name no log line may hold whole
    RequestHandler failing = uri -> {
      throw new IllegalStateException("handler broke on " + uri);
    };
    int errors = 0;
    try (ObjectServer server = ObjectServer.builder(failing).unixSocket(sock).build().start();
        ObjMapperClient c = ObjMapperClient.unix(sock).connect()) {
      for (int i = 0; i < requests; i++) {
        try (RemoteObject o = c.get(name)) {
          System.out.println("unexpected: an answer of " + o.bytes().length + " bytes");
        } catch (ObjMapperException e) {
          errors++;
        }
      }
    }
    System.out.println("answered " + errors);
  }
}
