package io.objmapper.internal.tier;

import io.objmapper.spi.dir.DirectoryTier;

import io.objmapper.internal.log.LogText;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.function.LongPredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The folders memory tiers of dead processes left in their base folder ({@code /dev/shm} unless
 * option {@code base_dir} says otherwise): a tier without a root creates
 * {@code objmapper-<pid>-<random>} and removes it on close, so one whose process died without
 * closing stays, in memory, until reboot. The next memory tier created in the same base folder
 * removes every such folder whose pid is not a live process. A folder of a live process
 * (including a pid reused by an unrelated process) is never touched, nor another user's folder
 * (anyone may create one named so); one that cannot be removed is left with a warning. The
 * removal holds each folder open and removes its entries relative to it, never following a
 * link ({@link DirectoryTier#deleteRecursively}).
 */
final class MemoryTierLeftovers {
  private static final Logger log = LoggerFactory.getLogger(MemoryTierLeftovers.class);
  private static final Pattern FOLDER = Pattern.compile("objmapper-(\\d{1,18})-[0-9a-f]+");

  private MemoryTierLeftovers() {}

  /**
   * True if {@code dir} (not followed if a link) belongs to the user this process runs as
   * (the owner of {@code /proc/self}): anyone may make a folder in a shared base folder, and
   * only this user's own leftovers are removed.
   */
  static boolean ownedByThisUser(Path dir) {
    try {
      Object mine = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
      return mine.equals(Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS));
    } catch (IOException | RuntimeException e) { // no unix attributes, or no /proc: by owner name
      try {
        return Files.getOwner(dir, LinkOption.NOFOLLOW_LINKS).getName().equals(System.getProperty("user.name"));
      } catch (IOException | RuntimeException unknown) {
        return false;
      }
    }
  }

  /** True if {@code pid} is a live process (as far as this process can see). */
  static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }

  /**
   * Removes the folders {@code objmapper-<pid>-<random>} directly in {@code base} whose pid
   * {@code alive} says is dead, and everything in them; never this process's.
   *
   * @return the number of folders removed
   */
  static int removeDead(Path base, LongPredicate alive) {
    long self = ProcessHandle.current().pid();
    int removed = 0;
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(base, p -> FOLDER.matcher(
        p.getFileName().toString()).matches())) {
      for (Path dir : entries) {
        Matcher m = FOLDER.matcher(dir.getFileName().toString());
        if (!m.matches()) {
          continue;
        }
        long pid = Long.parseLong(m.group(1));
        if (pid == self || alive.test(pid) || !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
          continue;
        }
        if (!ownedByThisUser(dir)) {
          log.debug("{} is named like a memory tier folder but is another user's: left alone", dir);
          continue;
        }
        try {
          DirectoryTier.deleteRecursively(dir);
          removed++;
          log.info("removed {}: the memory tier folder of process {}, which is gone", dir, pid);
        } catch (IOException e) {
          log.warn("could not remove {}, left by process {} which is gone: {}", dir, pid, LogText.error(e));
        }
      }
    } catch (IOException e) {
      log.warn("could not look for folders of dead processes in {}: {}", base, LogText.error(e));
    }
    return removed;
  }
}
