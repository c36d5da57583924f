package io.objmapper.server;

import io.objmapper.ObjMapperException;
import io.objmapper.protocol.Status;
import java.io.FileDescriptor;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Serves a directory; objects whose name starts with {@code /slow} "may block" and their
 * acquire waits until the gate opens. Counts acquires and releases, and can open the gate
 * when a given object is released (that is, after its answer was written).
 */
public final class GatedHandler implements RequestHandler {
  private final DirectoryHandler dir;
  private final CountDownLatch gate = new CountDownLatch(1);
  /** One permit per slow acquire that has started waiting. */
  public final Semaphore slowEntered = new Semaphore(0);
  /** One permit per released object. */
  public final Semaphore releases = new Semaphore(0);
  public final AtomicInteger acquired = new AtomicInteger();
  public final AtomicInteger released = new AtomicInteger();
  private volatile String openGateOnReleaseOf;

  public GatedHandler(Path root) {
    this.dir = new DirectoryHandler(root);
  }

  /** Lets every slow acquire (waiting or future) go on. */
  public void openGate() {
    gate.countDown();
  }

  /** Opens the gate once the object named {@code uri} was served and released. */
  public void openGateOnReleaseOf(String uri) {
    openGateOnReleaseOf = uri;
  }

  /** Objects acquired and not yet released. */
  public int outstanding() {
    return acquired.get() - released.get();
  }

  @Override
  public boolean mayBlock(String uri) {
    return uri.startsWith("/slow");
  }

  @Override
  public ServedObject acquire(String uri) {
    if (mayBlock(uri)) {
      awaitGate();
    }
    ServedObject o = dir.acquire(uri);
    if (uri.startsWith("/grows")) { // written on in place once its size was taken, as a writer may
      try {
        java.nio.file.Files.write(dir.root().resolve(uri.substring(1)), new byte[100],
            java.nio.file.StandardOpenOption.APPEND);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
    acquired.incrementAndGet();
    return new Counted(o, uri);
  }

  /** Counts a slow request as entered, then waits for the gate. */
  private void awaitGate() {
    slowEntered.release();
    try {
      if (!gate.await(120, TimeUnit.SECONDS)) {
        throw new ObjMapperException(io.objmapper.ErrorCode.INTERNAL_ERROR, "test gate never opened");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ObjMapperException(io.objmapper.ErrorCode.UNAVAILABLE, "interrupted");
    }
  }

  @Override
  public ServedObject acquireWritable(String uri) {
    return dir.acquireWritable(uri);
  }

  /** Deletes as {@link DirectoryHandler} does; a slow name waits for the gate first. */
  @Override
  public void delete(String uri) {
    if (mayBlock(uri)) {
      awaitGate();
    }
    dir.delete(uri);
  }

  private final class Counted implements ServedObject {
    private final ServedObject o;
    private final String uri;

    Counted(ServedObject o, String uri) {
      this.o = o;
      this.uri = uri;
    }

    @Override
    public FileDescriptor descriptor() {
      return o.descriptor();
    }

    @Override
    public FileChannel channel() {
      return o.channel();
    }

    @Override
    public long size() {
      return o.size();
    }

    @Override
    public long mtimeSeconds() {
      return o.mtimeSeconds();
    }

    @Override
    public int tierId() {
      return o.tierId();
    }

    @Override
    public void release() {
      o.release();
      released.incrementAndGet();
      releases.release();
      if (uri.equals(openGateOnReleaseOf)) {
        openGate();
      }
    }
  }
}
