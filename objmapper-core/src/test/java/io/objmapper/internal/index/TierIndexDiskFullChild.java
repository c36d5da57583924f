package io.objmapper.internal.index;

import java.nio.file.Path;

/**
 * Run by {@link TierIndexSizingTest} in a child JVM whose files may not grow past a limit:
 * opens the index given as first argument declared for the entries given as second, and prints
 * {@code opened} or {@code failed <exception class>: <message>}; exits 0 either way.
 */
public final class TierIndexDiskFullChild {
  private TierIndexDiskFullChild() {}

  public static void main(String[] args) {
    try (PersistentTierIndex index = PersistentTierIndex.open(Path.of(args[0]), Long.parseLong(args[1]))) {
      System.out.println("opened " + index.capacity());
    } catch (Exception e) {
      System.out.println("failed " + e.getClass().getName() + ": " + e.getMessage());
    }
    System.out.flush();
  }
}
