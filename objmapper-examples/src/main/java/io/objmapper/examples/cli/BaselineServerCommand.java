package io.objmapper.examples.cli;

import java.io.File;
import java.io.FileInputStream;
import java.io.FileDescriptor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.newsclub.net.unix.AFUNIXServerSocketChannel;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.newsclub.net.unix.AFUNIXSocketChannel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sun.misc.Signal;

/**
 * {@code baseline-server}: the bare descriptor ping-pong that {@code bench --baseline}
 * compares objmapper against. No codec and no lookup: it finds request boundaries from
 * the length field, copies the V2 request id, and answers every request with a header
 * (no metadata) and a descriptor: one already-open descriptor every answer shares, or with
 * {@code --open-per-answer} a descriptor of the file opened for that answer (and closed
 * once sent), as a server handing each receiver its own description must. Hidden: started
 * by {@code bench}.
 */
@Command(name = "baseline-server", hidden = true, description = "Bare FD ping-pong server for bench --baseline.")
public final class BaselineServerCommand implements Callable<Integer> {
  @Option(names = "--socket", required = true)
  Path socket;

  @Option(names = "--file", required = true, description = "The file whose descriptor every answer carries.")
  Path file;

  @Option(names = "--open-per-answer", description = "Open the file for every answer instead of passing one open descriptor.")
  boolean openPerAnswer;

  @Override
  public Integer call() throws Exception {
    FileInputStream open = new FileInputStream(file.toFile());
    File perAnswer = openPerAnswer ? file.toFile() : null;
    FileDescriptor fd = open.getFD();
    Files.deleteIfExists(socket);
    AFUNIXServerSocketChannel server = AFUNIXServerSocketChannel.open();
    server.bind(AFUNIXSocketAddress.of(socket), 128);
    CountDownLatch stop = new CountDownLatch(1);
    Signal.handle(new Signal("TERM"), s -> stop.countDown());
    Thread acceptor = new Thread(() -> {
      while (true) {
        try {
          AFUNIXSocketChannel c = server.accept();
          Thread t = new Thread(() -> serve(c, fd, perAnswer), "baseline-conn");
          t.setDaemon(true);
          t.start();
        } catch (IOException e) {
          return;
        }
      }
    }, "baseline-accept");
    acceptor.setDaemon(true);
    acceptor.start();
    System.out.println("listening on unix:" + socket);
    System.out.flush();
    stop.await();
    server.close();
    Files.deleteIfExists(socket);
    open.close();
    return 0;
  }

  /** Serves one connection: passes {@code fd}, or if {@code perAnswer} is set that file opened anew. */
  private static void serve(AFUNIXSocketChannel ch, FileDescriptor fd, File perAnswer) {
    ByteBuffer in = ByteBuffer.allocateDirect(64 * 1024);
    ByteBuffer header = ByteBuffer.allocateDirect(16);
    ByteBuffer x = ByteBuffer.allocateDirect(1);
    x.put(0, (byte) 'X');
    FileDescriptor[] fds = {fd};
    in.flip();
    try (ch) {
      if (!fill(ch, in, 1)) {
        return;
      }
      boolean v2 = in.get(in.position()) == 'O';
      if (v2) {
        if (!fill(ch, in, 9)) {
          return;
        }
        int caps = in.getShort(in.position() + 5) & 0x0003;
        int depth = in.getShort(in.position() + 7) & 0xFFFF;
        in.position(in.position() + 9);
        ByteBuffer ack = ByteBuffer.allocate(10);
        ack.putInt(0x4F424A4D).put((byte) 2).putShort((short) caps).putShort((short) (depth == 0 ? 1000 : depth))
            .put((byte) 1).flip();
        while (ack.hasRemaining()) {
          ch.write(ack);
        }
      }
      int headerLen = v2 ? 9 : 3;
      while (true) {
        if (!fill(ch, in, headerLen)) {
          return;
        }
        int p = in.position();
        int uriLen = in.getShort(p + headerLen - 2) & 0xFFFF;
        if (!fill(ch, in, headerLen + uriLen)) {
          return;
        }
        header.clear();
        if (v2) {
          header.put((byte) 2).putInt(in.getInt(p + 1)).put((byte) 0).putLong(0).putShort((short) 0);
        } else {
          header.put((byte) 0).putLong(0).putShort((short) 0);
        }
        in.position(p + headerLen + uriLen);
        header.flip();
        while (header.hasRemaining()) {
          ch.write(header);
        }
        FileInputStream own = perAnswer != null ? new FileInputStream(perAnswer) : null;
        try {
          fds[0] = own != null ? own.getFD() : fd;
          ch.setOutboundFileDescriptors(fds);
          x.clear();
          while (x.hasRemaining()) {
            ch.write(x);
          }
        } finally {
          if (own != null) {
            own.close();
          }
        }
      }
    } catch (IOException e) {
      // client went away
    }
  }

  private static boolean fill(AFUNIXSocketChannel ch, ByteBuffer in, int need) throws IOException {
    while (in.remaining() < need) {
      in.compact();
      int n = ch.read(in);
      in.flip();
      if (n < 0) {
        return false;
      }
    }
    return true;
  }
}
