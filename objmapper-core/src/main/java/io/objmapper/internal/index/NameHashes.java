package io.objmapper.internal.index;

import java.util.Arrays;

/**
 * A compact set of 64-bit name hashes: what a reconciliation remembers of the names a scan
 * reported (8 bytes per file, on the heap only while the reconciliation runs), so that it can
 * tell which index entries the scan did not see without keeping the names themselves.
 *
 * <p>Add everything, call {@link #freeze()}, then query. Two names may share a hash; a vanished
 * file whose name collides with a scanned one keeps its stale entry, which is harmless (a lookup
 * finds no file and falls back to the tier) and, with 10M scanned names, a chance of about
 * one in 10^12 per vanished file.
 */
final class NameHashes {
  private long[] hashes = new long[1 << 12];
  private int count;
  private boolean frozen;

  void add(String name) {
    if (frozen) {
      throw new IllegalStateException("frozen");
    }
    if (count == hashes.length) {
      hashes = Arrays.copyOf(hashes, hashes.length * 2);
    }
    hashes[count++] = hash(name);
  }

  void freeze() {
    Arrays.sort(hashes, 0, count);
    frozen = true;
  }

  boolean contains(String name) {
    if (!frozen) {
      throw new IllegalStateException("not frozen");
    }
    return Arrays.binarySearch(hashes, 0, count, hash(name)) >= 0;
  }

  int size() {
    return count;
  }

  /** FNV-1a over the UTF-16 chars, then MurmurHash3's 64-bit finalizer to spread the bits. */
  static long hash(String s) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0, n = s.length(); i < n; i++) {
      h ^= s.charAt(i);
      h *= 0x100000001b3L;
    }
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return h;
  }
}
