package io.objmapper.examples.cli;

import io.objmapper.protocol.Capabilities;
import io.objmapper.protocol.Mode;
import io.objmapper.protocol.Protocol;
import io.objmapper.protocol.ProtocolEncoder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.newsclub.net.unix.AFUNIXSocketChannel;

/**
 * The load that must cost a polite client nothing: idle connections (Unix and TCP) that
 * never send a byte, and clients that pipeline COPY requests and never read an answer.
 * A staller the server closes (its write timeout) connects again and starts over, as a
 * determined one would.
 */
final class BenchHostiles implements AutoCloseable {
  private final List<SocketChannel> idle = new ArrayList<>();
  private final List<Thread> stallers = new ArrayList<>();
  private volatile boolean stopped;
  /** Times a staller found itself closed by the server and connected again. */
  final AtomicLong reconnects = new AtomicLong();

  /** Opens {@code unixIdle} idle Unix connections and {@code tcpIdle} idle TCP ones. */
  void openIdle(Path socket, int unixIdle, InetSocketAddress tcp, int tcpIdle) throws IOException {
    for (int i = 0; i < unixIdle; i++) {
      idle.add(AFUNIXSocketChannel.open(AFUNIXSocketAddress.of(socket)));
    }
    for (int i = 0; i < tcpIdle; i++) {
      idle.add(SocketChannel.open(tcp));
    }
  }

  /** Starts {@code n} clients (one thread each) that pipeline COPY requests for {@code uri} and never read. */
  void startStallers(Path socket, int n, boolean v2, String uri) {
    for (int i = 0; i < n; i++) {
      Thread t = new Thread(() -> stall(socket, v2, uri), "bench-staller-" + (v2 ? "v2-" : "v1-") + i);
      t.setDaemon(true);
      stallers.add(t);
      t.start();
    }
  }

  private void stall(Path socket, boolean v2, String uri) {
    byte[] u = ProtocolEncoder.utf8(uri);
    boolean first = true;
    while (!stopped) {
      if (!first) {
        reconnects.incrementAndGet();
      }
      first = false;
      try (AFUNIXSocketChannel ch = AFUNIXSocketChannel.open(AFUNIXSocketAddress.of(socket))) {
        int depth = 1;
        if (v2) {
          ByteBuffer hello = ByteBuffer.allocate(Protocol.HELLO_LENGTH);
          ProtocolEncoder.hello(hello, Capabilities.OOO_REPLIES | Capabilities.PIPELINING, 100);
          writeFully(ch, hello.flip());
          ByteBuffer ack = ByteBuffer.allocate(Protocol.HELLO_ACK_LENGTH);
          while (ack.hasRemaining()) {
            if (ch.read(ack) < 0) {
              throw new IOException("closed during the handshake");
            }
          }
          depth = Math.max(1, ack.getShort(Protocol.HELLO_PIPELINE_OFFSET) & 0xFFFF);
        }
        ch.configureBlocking(false);
        ByteBuffer req = ByteBuffer.allocate(Protocol.V2_REQUEST_HEADER_LENGTH + u.length);
        int burst = v2 ? depth : 20;
        long id = 0;
        while (!stopped) {
          for (int i = 0; i < burst && !stopped; i++) {
            req.clear();
            if (v2) {
              ProtocolEncoder.requestV2(req, id++, 0, Mode.COPY, u);
            } else {
              ProtocolEncoder.requestV1(req, Mode.COPY, u);
            }
            req.flip();
            ch.write(req); // 0 once the server stops reading: it then waits for us, as intended
          }
          burst = 1;
          // Only to notice being closed: never a read.
          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        }
      } catch (IOException e) {
        // closed by the server (write timeout): connect again
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
      }
    }
  }

  private static void writeFully(SocketChannel ch, ByteBuffer b) throws IOException {
    while (b.hasRemaining()) {
      ch.write(b);
    }
  }

  @Override
  public void close() throws IOException {
    stopped = true;
    for (Thread t : stallers) {
      try {
        t.join(5000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    for (SocketChannel c : idle) {
      c.close();
    }
  }
}
