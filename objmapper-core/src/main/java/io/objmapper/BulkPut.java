package io.objmapper;

import java.nio.file.Path;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * Puts many files with one sync for all of them instead of one per object: for bulk imports,
 * where a sync per object would bound the rate by the disk's journal. Made by {@link
 * ObjMapper#bulkPut}; for one thread at a time (run several for parallel imports).
 *
 * <p>{@link #add} copies a file into a temporary file beneath its tier's root: not yet synced
 * nor visible. {@link #flush} makes everything added durable with one sync per tier
 * ({@code syncfs(2)}, or an fsync of each file where that cannot be had), then renames each
 * over its object and indexes it, then syncs each directory renamed into once. When it
 * returns, what it returned is durable. Nothing is published before its bytes are synced, so
 * a crash at any point leaves every object as it was or whole; the temporary files a crash
 * leaves are removed when the store opens next.
 *
 * <pre>{@code
 * try (BulkPut bulk = store.bulkPut()) {
 *   for (Path f : files) {
 *     bulk.add("/imported/" + f.getFileName(), f);
 *     if (bulk.pending() >= 1000) {
 *       bulk.flush((name, e) -> System.err.println(name + ": " + e.getMessage()));
 *     }
 *   }
 *   bulk.flush((name, e) -> System.err.println(name + ": " + e.getMessage()));
 * }
 * }</pre>
 *
 * <p>An object placed on a tier that is no directory tree (a remote one) is put at once by
 * {@link #add}, durable on its own.
 */
public interface BulkPut extends AutoCloseable {
  /**
   * Copies {@code file} to be stored as object {@code name} at the next {@link #flush}, on
   * the tier a put would choose (its room is reserved until then).
   *
   * @throws io.objmapper.spi.InvalidObjectNameException for a bad name
   * @throws ObjMapperException no room ({@link CapacityException}), an unreadable file
   *     ({@link StorageException}); as each of these, for this file only: nothing of it is
   *     left and the batch goes on
   */
  void add(String name, Path file);

  /** Files added since the last {@link #flush}. */
  int pending();

  /**
   * Makes everything added since the last flush durable and visible (see the class comment).
   *
   * @param failed told each object that could not be stored, with why; the others are
   *     stored
   * @return what was stored, durable now
   */
  List<ObjectInfo> flush(BiConsumer<String, ObjMapperException> failed);

  /** Drops what was added and not flushed (its temporary files are removed). */
  @Override
  void close();
}
