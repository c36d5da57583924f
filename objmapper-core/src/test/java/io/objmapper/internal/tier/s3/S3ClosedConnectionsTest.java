package io.objmapper.internal.tier.s3;

import static org.assertj.core.api.Assertions.assertThat;

import io.objmapper.spi.Tier;
import io.objmapper.spi.TierConfig;
import io.objmapper.spi.TierFlag;
import io.objmapper.testing.S3TestServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A service that closes pooled connections: an S3 endpoint (a few lines of HTTP over a server
 * socket) that answers a HEAD for a missing object with 404 and then closes the connection
 * without saying so (the PUTs that failed against S3Proxy each followed a HEAD it answered
 * 404). The JDK keeps such connections in its pool and does not send a body again on another,
 * so each attempt of the PUT after them fails on one until a fresh connection is opened: with
 * three closed connections pooled, the SDK's default of three attempts fails the PUT ("Error
 * writing request body to server", as in the builds it failed); the tier's six do not.
 */
@Timeout(60)
class S3ClosedConnectionsTest {
  private static final int CLOSED = 3;

  static {
    // The credentials every S3 test of this JVM uses (S3TestServer sets the same).
    System.setProperty("aws.accessKeyId", S3TestServer.ACCESS_KEY);
    System.setProperty("aws.secretAccessKey", S3TestServer.SECRET_KEY);
  }

  @Test
  void aPutAfterThreeConnectionsTheServiceClosedSucceeds() throws Exception {
    try (FakeS3 s3 = new FakeS3()) {
      TierConfig config = TierConfig.builder().name("archive").type("s3").id(3)
          .flags(EnumSet.of(TierFlag.READABLE, TierFlag.WRITABLE))
          .option(S3Options.BUCKET, "b")
          .option(S3Options.ENDPOINT, "http://127.0.0.1:" + s3.port())
          .option(S3Options.REGION, S3TestServer.REGION)
          .option(S3Options.PATH_STYLE, "true")
          .option(S3Options.REQUEST_TIMEOUT_MS, "20000")
          .build();
      try (Tier tier = new S3TierProvider().create(config)) {
        assertThat(s3.listed.await(20, TimeUnit.SECONDS)).as("the tier's first LIST").isTrue();
        // Three HEADs at once: three connections, each closed by the service once answered.
        s3.holdHeads = new CountDownLatch(CLOSED);
        ExecutorService pool = Executors.newFixedThreadPool(CLOSED);
        try {
          List<Future<?>> heads = new ArrayList<>();
          for (int i = 0; i < CLOSED; i++) {
            int n = i;
            heads.add(pool.submit(() -> {
              assertThat(tier.stat("/missing-" + n)).isNull();
              return null;
            }));
          }
          for (Future<?> f : heads) {
            f.get(20, TimeUnit.SECONDS);
          }
        } finally {
          pool.shutdownNow();
        }
        int before = s3.puts.get();

        tier.write("/put.bin", new byte[] {1, 2, 3});

        assertThat(s3.puts.get() - before).as("PUTs that reached the service").isEqualTo(1);
      }
    }
  }

  /**
   * Answers LIST (empty), HEAD (404, then closes; 200 for the object once put), PUT (200); one
   * thread per connection.
   */
  private static final class FakeS3 implements AutoCloseable {
    static final String ETAG = "0123456789abcdef0123456789abcdef";
    final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    final CountDownLatch listed = new CountDownLatch(1);
    final AtomicInteger puts = new AtomicInteger();
    volatile CountDownLatch holdHeads = new CountDownLatch(0);
    final ExecutorService connections = Executors.newCachedThreadPool();

    FakeS3() throws IOException {
      connections.execute(this::accept);
    }

    int port() {
      return server.getLocalPort();
    }

    private void accept() {
      while (!server.isClosed()) {
        try {
          Socket s = server.accept();
          connections.execute(() -> serve(s));
        } catch (IOException e) {
          return;
        }
      }
    }

    private void serve(Socket s) {
      try (s) {
        BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
        OutputStream out = s.getOutputStream();
        while (true) {
          String requestLine = in.readLine();
          if (requestLine == null) {
            return;
          }
          long length = 0;
          for (String h = in.readLine(); h != null && !h.isEmpty(); h = in.readLine()) {
            if (h.regionMatches(true, 0, "Content-Length:", 0, 15)) {
              length = Long.parseLong(h.substring(15).trim());
            }
          }
          in.skip(length); // ISO-8859-1: one char per byte
          String method = requestLine.substring(0, requestLine.indexOf(' '));
          switch (method) {
            case "HEAD" -> {
              if (requestLine.contains("/put.bin ") && puts.get() > 0) { // the write's own HEAD after its PUT
                out.write(("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nETag: \"" + ETAG + "\"\r\n"
                    + "Last-Modified: Thu, 03 Dec 2026 18:00:00 GMT\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                break;
              }
              // All three HEADs hold their connections until each has one, so the JDK opens three.
              CountDownLatch hold = holdHeads;
              hold.countDown();
              hold.await(20, TimeUnit.SECONDS);
              out.write(("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nx-amz-request-id: 1\r\n\r\n")
                  .getBytes(StandardCharsets.ISO_8859_1));
              out.flush();
              return; // closed, though the answer said nothing of it
            }
            case "PUT" -> {
              puts.incrementAndGet();
              out.write(("HTTP/1.1 200 OK\r\nETag: \"" + ETAG + "\"\r\nContent-Length: 0\r\n\r\n")
                  .getBytes(StandardCharsets.ISO_8859_1));
            }
            default -> { // the LIST of the tier's count
              byte[] body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><ListBucketResult>"
                  + "<Name>b</Name><KeyCount>0</KeyCount><IsTruncated>false</IsTruncated></ListBucketResult>")
                  .getBytes(StandardCharsets.UTF_8);
              out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nContent-Length: " + body.length
                  + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
              out.write(body);
              listed.countDown();
            }
          }
          out.flush();
        }
      } catch (IOException | InterruptedException | RuntimeException e) {
        // the client went away
      }
    }

    @Override
    public void close() throws IOException {
      server.close();
      connections.shutdownNow();
    }
  }
}
