package io.objmapper.examples.cli;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the JIT's optimizing compiler (C2) off the methods that get hot during a bulk import,
 * so that they run as C1 compiles them.
 *
 * <p>Why: an import of 100,000 small files is over in seconds, before C2's work pays back.
 * Measured on a 2-core machine (BENCHMARKS.md §6.4), C2 took about a third of the import's
 * CPU (5–6 s of 16–18 s: Chronicle Map's insert path, the file walk, the staging code), and
 * running without it made the import a third faster in wall time. The compiler is steered
 * with a compiler directive added through the JVM's {@code DiagnosticCommand} MBean (what
 * {@code jcmd PID Compiler.directives_add} does), so {@code java -jar} needs no flag.
 *
 * <p>A method C2 declines while the directive holds stays C1-compiled for the life of the
 * JVM (HotSpot marks it "not compilable at tier 4"). The {@code import} command ends with its
 * import, so that costs nothing there; {@code serve --import} removes the directive when its
 * import is done, and the methods it declined meanwhile (the import's own, and the shared ones
 * it made hot: collections, the index's insert path) keep C1 code while serving. Where the
 * JVM offers no such MBean (a runtime without {@code java.management}), nothing changes.
 *
 * <p>The directive is added on a thread of its own (the management classes take 0.1–0.2 s to
 * load), overlapping the store's opening.
 */
final class ImportCompilation implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ImportCompilation.class);

  /** Every method: C2 declines it; C1 (tier 1, without profiling) compiles it instead. */
  static final String DIRECTIVE = "[{ match: \"*.*\", c2: { Exclude: true } }]";

  private static final String[] SIGNATURE = {String[].class.getName()};

  private final Thread adder;
  private final Object lock = new Object();
  /** Guarded by {@link #lock}. */
  private boolean added;
  /** Guarded by {@link #lock}: the import is done; a directive not added yet is not added. */
  private boolean closed;

  private ImportCompilation() {
    adder = new Thread(this::add, "objmapper-import-compilation");
    adder.setDaemon(true);
  }

  /** Starts adding the directive (in the background); {@link #close} removes it. */
  static ImportCompilation start() {
    ImportCompilation c = new ImportCompilation();
    c.adder.start();
    return c;
  }

  private void add() {
    Path file = null;
    try {
      MBeanServer server = ManagementFactory.getPlatformMBeanServer(); // the slow part: loads the management classes
      file = Files.createTempFile("objmapper-import-", ".json");
      Files.writeString(file, DIRECTIVE, StandardCharsets.UTF_8);
      synchronized (lock) {
        if (closed) {
          return; // a small import was over first: nothing to steer
        }
        Object answer = invoke(server, "compilerDirectivesAdd", file.toString());
        added = String.valueOf(answer).contains("1 compiler directives added");
        log.debug("import: compiler directive {}: {}", DIRECTIVE, answer);
      }
    } catch (Exception | LinkageError e) { // no java.management, no such command: compile as usual
      log.debug("import: cannot add the compiler directive: {}", e.toString());
    } finally {
      if (file != null) {
        try {
          Files.deleteIfExists(file);
        } catch (IOException e) {
          log.debug("import: cannot remove {}: {}", file, e.toString());
        }
      }
    }
  }

  /** Waits until the directive was added or given up; true if it holds (for tests). */
  boolean added() throws InterruptedException {
    adder.join();
    synchronized (lock) {
      return added;
    }
  }

  private static Object invoke(MBeanServer server, String operation, String... args) throws Exception {
    return server.invoke(new ObjectName("com.sun.management:type=DiagnosticCommand"), operation,
        new Object[] {args}, SIGNATURE);
  }

  /**
   * Removes the directive if it was added (methods compiled from now on get C2 again), or
   * keeps it from being added; returns at once, without waiting for the management classes.
   */
  @Override
  public void close() {
    synchronized (lock) {
      closed = true;
      if (!added) {
        return;
      }
      added = false;
      try {
        invoke(ManagementFactory.getPlatformMBeanServer(), "compilerDirectivesRemove");
      } catch (Exception | LinkageError e) {
        log.debug("import: cannot remove the compiler directive: {}", e.toString());
      }
    }
  }
}
