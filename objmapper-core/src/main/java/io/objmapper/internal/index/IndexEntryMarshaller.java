package io.objmapper.internal.index;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.core.util.ReadResolvable;
import net.openhft.chronicle.hash.serialization.SizedReader;
import net.openhft.chronicle.hash.serialization.SizedWriter;
import net.openhft.chronicle.wire.WireIn;
import net.openhft.chronicle.wire.WireOut;

/**
 * Stores an {@link IndexEntry} as a constant {@value IndexEntry#STORED_BYTES}-byte value in
 * Chronicle Bytes' order (little-endian):
 *
 * <pre>
 *  0               8               16      20      24
 *  +---------------+---------------+-------+-------+
 *  | size (u64)    | mtime ms (u64)| fkey  | flags |
 *  +---------------+---------------+-------+-------+
 *  fkey = IndexEntry.fileKeyHash (u32), flags = caller's flags (u32)
 * </pre>
 *
 * <p>The class name is written into every map file's header, so renaming or moving this class
 * makes existing index files unreadable: they are then moved aside and rebuilt by a scan
 * ({@link OpenState#RESET}). Changing the layout must bump {@link PersistentTierIndex}'s format.
 */
final class IndexEntryMarshaller
    implements SizedReader<IndexEntry>, SizedWriter<IndexEntry>, ReadResolvable<IndexEntryMarshaller> {
  static final IndexEntryMarshaller INSTANCE = new IndexEntryMarshaller();

  static final int SIZE_OFFSET = 0;
  static final int MTIME_OFFSET = 8;
  static final int FILE_KEY_OFFSET = 16;
  static final int FLAGS_OFFSET = 20;

  private IndexEntryMarshaller() {}

  @Override
  public IndexEntry read(Bytes<?> in, long size, IndexEntry using) {
    IndexEntry e = using != null ? using : new IndexEntry();
    long pos = in.readPosition();
    e.set(in.readLong(pos + SIZE_OFFSET), in.readLong(pos + MTIME_OFFSET),
        in.readInt(pos + FILE_KEY_OFFSET), in.readInt(pos + FLAGS_OFFSET));
    in.readSkip(IndexEntry.STORED_BYTES);
    return e;
  }

  @Override
  public long size(IndexEntry toWrite) {
    return IndexEntry.STORED_BYTES;
  }

  @Override
  public void write(Bytes<?> out, long size, IndexEntry e) {
    out.writeLong(e.size());
    out.writeLong(e.mtimeMillis());
    out.writeInt(e.fileKeyHash());
    out.writeInt(e.flags());
  }

  @Override
  public IndexEntryMarshaller readResolve() {
    return INSTANCE;
  }

  @Override
  public void readMarshallable(WireIn wire) {
    // Stateless: nothing is stored in the map header beyond the class name.
  }

  @Override
  public void writeMarshallable(WireOut wire) {
    // Stateless: nothing is stored in the map header beyond the class name.
  }
}
