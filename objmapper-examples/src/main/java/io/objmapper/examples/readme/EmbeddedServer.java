package io.objmapper.examples.readme;

// readme:begin server
import io.objmapper.server.ObjectServer;
import java.nio.file.Path;
// readme:end
import io.objmapper.ObjMapper;

/** README, "Embedding the server". */
final class EmbeddedServer {
  private EmbeddedServer() {}

  static ObjectServer run(ObjMapper store) throws Exception {
    // readme:begin server
    ObjectServer server = ObjectServer.start(store, Path.of("/run/objmapper.sock"));   // or ObjectServer.builder(store)...build().start()
    // readme:end
    return server;
  }
}
