package io.objmapper.testing;

import io.objmapper.internal.tier.FsTierProvider;
import io.objmapper.spi.ObjectStat;
import io.objmapper.spi.Tier;
import io.objmapper.spi.TierConfig;
import io.objmapper.spi.TierProvider;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

/** A tier that forwards every call to another: tests override the calls they hook. */
public class ForwardingTier implements Tier {
  protected final Tier delegate;

  public ForwardingTier(Tier delegate) {
    this.delegate = delegate;
  }

  /** A provider of type {@code fs}: the built-in fs tier, handed to {@code wrap} (which hooks its calls). */
  public static TierProvider wrappingFs(UnaryOperator<Tier> wrap) {
    return new TierProvider() {
      @Override
      public String type() {
        return "fs";
      }

      @Override
      public Tier create(TierConfig config) throws IOException {
        return wrap.apply(new FsTierProvider().create(config));
      }
    };
  }

  @Override
  public TierConfig config() {
    return delegate.config();
  }

  @Override
  public java.util.Optional<io.objmapper.spi.LocalFiles> localFiles() {
    return delegate.localFiles();
  }

  @Override
  public ObjectStat stat(String name) throws IOException {
    return delegate.stat(name);
  }

  @Override
  public InputStream openStream(String name) throws IOException {
    return delegate.openStream(name);
  }

  @Override
  public ObjectStat write(String name, InputStream source) throws IOException {
    return delegate.write(name, source);
  }

  @Override
  public ObjectStat write(String name, ByteBuffer source) throws IOException {
    return delegate.write(name, source);
  }

  @Override
  public ObjectStat write(String name, FileChannel source, long position, long count) throws IOException {
    return delegate.write(name, source, position, count);
  }

  @Override
  public boolean delete(String name) throws IOException {
    return delegate.delete(name);
  }

  @Override
  public long scan(ScanVisitor visitor, ScanProgress progress) throws IOException {
    return delegate.scan(visitor, progress);
  }

  @Override
  public long usedBytes() {
    return delegate.usedBytes();
  }

  @Override
  public long objectCount() {
    return delegate.objectCount();
  }

  @Override
  public void close() throws IOException {
    delegate.close();
  }
}
