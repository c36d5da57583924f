package io.objmapper.server;

import io.objmapper.ObjMapper;
import io.objmapper.ObjectInfo;
import io.objmapper.ObjectNotFoundException;
import io.objmapper.StorageException;
import io.objmapper.internal.config.ObjMapperConfig;
import io.objmapper.internal.config.ServerSettings;
import io.objmapper.internal.fdcache.OpenFile;
import io.objmapper.internal.fdcache.CachedVersion;
import io.objmapper.internal.serving.StoreAccess;
import java.io.FileDescriptor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;

/**
 * Serves an {@link ObjMapper} store: adapts what the store offers servers
 * ({@link StoreAccess}) to a {@link RequestHandler}. A cached object costs no allocation: each
 * of the store's shared descriptors gets its {@link ServedObject} view once, attached to it.
 */
public final class StoreHandler implements RequestHandler {
  private final StoreAccess store;
  private final java.util.List<String> tierNames;

  private StoreHandler(StoreAccess store, java.util.List<String> tierNames) {
    this.store = store;
    this.tierNames = tierNames;
  }

  /**
   * The handler serving {@code store} (for a server built by hand, or to wrap it);
   * {@link ObjectServer#builder(ObjMapper)} uses it.
   *
   * @throws IllegalArgumentException if {@code store} was not built by {@code ObjMapper.builder()}
   */
  public static StoreHandler of(ObjMapper store) {
    return new StoreHandler(access(store), store.tiers().stream().map(io.objmapper.spi.TierConfig::name).toList());
  }

  private static StoreAccess access(ObjMapper store) {
    if (!(store instanceof StoreAccess access)) {
      throw new IllegalArgumentException("not a store built by ObjMapper.builder(): "
          + (store == null ? "null" : store.getClass().getName()) + "; serve it with ObjectServer.builder(RequestHandler)");
    }
    return access;
  }

  /** A server builder for {@code store}, with its configuration file's settings applied. */
  static ObjectServer.Builder builder(ObjMapper store) {
    StoreHandler handler = of(store);
    ObjectServer.Builder b = ObjectServer.builder(handler);
    ObjMapperConfig config = handler.store.config();
    if (config != null) {
      apply(config.serverSettings(), b);
    }
    return b;
  }

  /** Gives the configuration file's server settings to {@code b}'s public setters, as a Java user would. */
  static void apply(ServerSettings s, ObjectServer.Builder b) {
    b.minWorkers(s.minWorkers())
        .maxWorkers(s.maxWorkers())
        .workerStackSize(s.workerStackSize())
        .maxPipeline(s.maxPipeline())
        .capabilities(s.capabilities())
        .socketPermissions(s.socketPermissions())
        .maxConnections(s.maxConnections())
        .maxConnectionsPerPeer(s.maxConnectionsPerPeer())
        .maxPendingPuts(s.maxPendingPuts())
        .idleSpinMicros(s.idleSpinMicros())
        .writeTimeoutMillis(s.writeTimeoutMillis())
        .idleTimeoutMillis(s.idleTimeoutMillis())
        .shutdownGraceMillis(s.shutdownGraceMillis())
        .cCompat(s.cCompat());
    if (s.requestTimeoutMillis() > 0) {
      b.requestTimeoutMillis(s.requestTimeoutMillis());
    }
    if (s.ioThreads() > 0) {
      b.ioThreads(s.ioThreads());
    }
    s.sharedFdUids().ifPresent(b::sharedDescriptorUids);
    b.allowUids(s.access().allowUids()).allowGids(s.access().allowGids()).tcpAllow(s.access().tcpAllow())
        .writerGids(s.access().writerGids());
    s.access().writerUids().ifPresent(b::writerUids);
  }

  @Override
  public ServedObject acquire(String uri) {
    OpenFile f = store.acquire(uri);
    Object view = f.attachment();
    if (view instanceof View s) {
      return s;
    }
    View s = new View(f); // once per descriptor (two racing first readers may both make one: harmless)
    f.attach(s);
    return s;
  }

  @Override
  public boolean mayBlock(String uri) {
    return store.mayBlock(uri);
  }

  @Override
  public ServedObject acquireWritable(String uri) {
    StoreAccess.WritableFile w = store.openWritable(uri);
    return FileObject.of(w.stream(), w.size(), w.mtimeSeconds(), w.tierId());
  }

  @Override
  public boolean mayBlockWritable(String uri) {
    return store.mayBlockWritable(uri);
  }

  @Override
  public PendingPut beginPut(String uri, int objectFlags) {
    StoreAccess.StagedPut p = store.stagePut(uri, objectFlags);
    return new PendingPut() {
      @Override
      public ServedObject writer() {
        try {
          return FileObject.of(p.openWriter(), System.currentTimeMillis() / 1000, p.tierId());
        } catch (IOException ex) {
          throw new StorageException("cannot open the temporary file of " + uri + ": " + ex.getMessage(), ex);
        }
      }

      @Override
      public Published commit() {
        ObjectInfo info = p.commit();
        return new Published(info.size(), Math.floorDiv(info.mtimeMillis(), 1000), info.tierId());
      }

      @Override
      public void abort() {
        p.abort();
      }
    };
  }

  @Override
  public java.util.Optional<ObjectInfo> stat(String uri) {
    return store.stat(uri);
  }

  @Override
  public java.util.List<ObjectInfo> list(String prefix) {
    return store.list(prefix);
  }

  @Override
  public void delete(String uri) {
    if (!store.delete(uri)) {
      throw new ObjectNotFoundException("no object " + uri);
    }
  }

  /**
   * The server's view of a version the store opened: one of its shared descriptors (each
   * acquire took a reference, each {@link #release()} gives one back; its {@link
   * #descriptor()} is the shared description SHARED_FD peers get), or an answer's own
   * description, which every other answer passes ({@link #forPassing}).
   */
  private static final class View implements ServedObject {
    private final CachedVersion file;

    View(CachedVersion file) {
      this.file = file;
    }

    @Override
    public FileDescriptor descriptor() {
      try {
        return file.descriptor();
      } catch (UncheckedIOException e) {
        throw new StorageException(e.getMessage(), e.getCause());
      }
    }

    @Override
    public ServedObject forPassing(boolean shared) {
      if (shared || !(file instanceof OpenFile cached)) {
        return this;
      }
      try {
        return new View(cached.openPrivate());
      } catch (UncheckedIOException e) {
        throw new StorageException(e.getMessage(), e.getCause());
      }
    }

    @Override
    public FileChannel channel() {
      return file.channel();
    }

    @Override
    public long size() {
      return file.size();
    }

    @Override
    public long mtimeSeconds() {
      return file.mtimeSeconds();
    }

    @Override
    public int tierId() {
      return file.tierId();
    }

    @Override
    public void release() {
      file.release();
    }
  }

  @Override
  public java.util.List<String> tierNames() {
    return tierNames;
  }
}
