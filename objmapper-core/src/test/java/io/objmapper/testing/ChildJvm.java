package io.objmapper.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;

/**
 * A child JVM for the tests that kill a process mid-work: same JDK, same class path, the
 * JVM flags Chronicle Map needs (copied from this JVM's), its stdout read line by line.
 */
public final class ChildJvm {
  /** Put on the line queue once the child's stdout ends. */
  public static final String EOF = "\u0000eof";

  private ChildJvm() {}

  /**
   * Starts {@code main} with {@code jvmArgs} and {@code args}; stderr goes to {@code stderr}.
   */
  public static Process start(Class<?> main, List<String> jvmArgs, List<String> args, Path stderr)
      throws IOException {
    return start(command(main, jvmArgs, args), stderr);
  }

  /**
   * Runs {@code main} to its end (at most 240 s) and answers its stdout; fails, showing its
   * output and the end of its stderr, unless it exits 0 (a JVM crash exits 134 or 139).
   */
  public static String runToEnd(Class<?> main, List<String> jvmArgs, List<String> args, Path stderr)
      throws IOException, InterruptedException {
    Process child = start(main, jvmArgs, args, stderr);
    String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    org.assertj.core.api.Assertions.assertThat(child.waitFor(240, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    org.assertj.core.api.Assertions.assertThat(child.exitValue())
        .as("exit code of %s %s; stdout:\n%s\nstderr:\n%s", main.getSimpleName(), args, out, tail(stderr, 40))
        .isZero();
    return out;
  }

  /**
   * As {@link #start(Class, List, List, Path)}, but the child may write no file beyond
   * {@code maxFileKib} KiB ({@code ulimit -f}): a write or preallocation past it fails as on a
   * full disk (the JVM ignores SIGXFSZ, so the call gets EFBIG).
   */
  public static Process startWithFileSizeLimit(long maxFileKib, Class<?> main, List<String> jvmArgs,
      List<String> args, Path stderr) throws IOException {
    List<String> shell = new ArrayList<>(List.of("/bin/sh", "-c",
        "ulimit -f " + (maxFileKib * 1024 / 512) + " && exec \"$0\" \"$@\""));
    shell.addAll(command(main, jvmArgs, args));
    return start(shell, stderr);
  }

  private static Process start(List<String> command, Path stderr) throws IOException {
    // No pipe to its stdin: the parent would hold that descriptor until a garbage collection,
    // and tests that count this process's descriptors would see it go at random.
    return new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
        .redirectError(stderr.toFile()).start();
  }

  /** The command line of a child JVM running {@code main}. */
  public static List<String> command(Class<?> main, List<String> jvmArgs, List<String> args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (arg.startsWith("--add-opens") || arg.startsWith("--add-exports") || arg.startsWith("-Dchronicle")
          || arg.startsWith("--enable-native-access") || arg.startsWith("--sun-misc-unsafe-memory-access")) {
        command.add(arg);
      }
    }
    command.addAll(jvmArgs);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(main.getName());
    command.addAll(args);
    return command;
  }

  /** A daemon thread putting each line of {@code child}'s stdout on {@code lines}, then {@link #EOF}. */
  public static Thread pumpLines(Process child, BlockingQueue<String> lines, String threadName) {
    Thread t = new Thread(() -> {
      try (BufferedReader r =
          new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = r.readLine(); line != null; line = r.readLine()) {
          lines.add(line);
        }
      } catch (IOException e) {
        lines.add("read failed: " + e);
      } finally {
        lines.add(EOF);
      }
    }, threadName);
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** The last {@code n} lines of {@code file}, for a failure message. */
  public static String tail(Path file, int n) {
    try {
      List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - n), all.size()));
    } catch (IOException e) {
      return e.toString();
    }
  }
}
