package io.objmapper.client;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.newsclub.net.unix.AFUNIXServerSocketChannel;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.newsclub.net.unix.AFUNIXSocketChannel;

/** A one-connection server that plays a script of raw bytes, to show the client what a real server would not send. */
final class FakeServer implements AutoCloseable {
  interface Script {
    void play(Peer peer) throws Exception;
  }

  private final AFUNIXServerSocketChannel listener;
  private final CompletableFuture<Void> done = new CompletableFuture<>();
  private final Thread thread;

  FakeServer(Path socket, Script script) throws IOException {
    listener = AFUNIXServerSocketChannel.open();
    listener.bind(AFUNIXSocketAddress.of(socket));
    thread = new Thread(() -> {
      try (AFUNIXSocketChannel ch = listener.accept()) {
        script.play(new Peer(ch));
        done.complete(null);
      } catch (Exception e) {
        done.completeExceptionally(e);
      }
    }, "fake-server");
    thread.setDaemon(true);
    thread.start();
  }

  /** Waits for the script to end and rethrows what it failed with. */
  void awaitScript() throws Exception {
    done.get(30, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws Exception {
    listener.close();
    thread.join(TimeUnit.SECONDS.toMillis(30));
  }

  /** The accepted connection. */
  static final class Peer {
    private final AFUNIXSocketChannel ch;

    Peer(AFUNIXSocketChannel ch) {
      this.ch = ch;
    }

    byte[] read(int n) throws IOException {
      ByteBuffer b = ByteBuffer.allocate(n);
      while (b.hasRemaining()) {
        if (ch.read(b) < 0) {
          throw new EOFException("client closed after " + b.position() + " of " + n + " bytes");
        }
      }
      return b.array();
    }

    /** Reads a HELLO and answers with these negotiated values. */
    void handshake(int caps, int depth) throws IOException {
      read(9);
      write(ByteBuffer.allocate(10).put("OBJM".getBytes()).put((byte) 2).putShort((short) caps)
          .putShort((short) depth).put((byte) 1).array());
    }

    /** Reads one V2 request; returns its id. */
    long readRequestV2() throws IOException {
      ByteBuffer h = ByteBuffer.wrap(read(9));
      h.get();
      long id = h.getInt() & 0xFFFF_FFFFL;
      h.getShort();
      read(h.getShort() & 0xFFFF);
      return id;
    }

    void write(byte[] bytes) throws IOException {
      ByteBuffer b = ByteBuffer.wrap(bytes);
      while (b.hasRemaining()) {
        ch.write(b);
      }
    }

    static byte[] responseV2(long id, int status, long contentLength, byte[] metadata) {
      return ByteBuffer.allocate(16 + metadata.length).put((byte) 2).putInt((int) id).put((byte) status)
          .putLong(contentLength).putShort((short) metadata.length).put(metadata).array();
    }
  }
}
