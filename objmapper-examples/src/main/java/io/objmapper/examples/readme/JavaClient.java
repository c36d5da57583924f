package io.objmapper.examples.readme;

// readme:begin client
import io.objmapper.client.ObjMapperClient;
import io.objmapper.client.RemoteObject;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
// readme:end

/** README, "Java client". */
final class JavaClient {
  private JavaClient() {}

  static void run() throws Exception {
    // readme:begin client
    try (ObjMapperClient client = ObjMapperClient.unix(Path.of("objmapper.sock")).connect();
         RemoteObject obj = client.get("/hello.txt")) {
      FileChannel ch = obj.channel();        // read-only; stays valid after the client closes
    }
    // readme:end
  }
}
