package io.objmapper.examples.cli;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The launcher as a child process of the test JVM: the same JVM flags and class path. */
final class LauncherProcess {
  /** No pipe to a child's stdin: this JVM would hold that descriptor until a garbage collection. */
  static final ProcessBuilder.Redirect NO_INPUT = ProcessBuilder.Redirect.from(new File("/dev/null"));

  private LauncherProcess() {}

  /**
   * {@code java <this JVM's module and Chronicle flags> -cp <class path> io.objmapper.examples.Launcher
   * args...}, as a mutable list.
   */
  static List<String> command(String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (a.startsWith("--add-") || a.startsWith("-Dchronicle") || a.startsWith("--enable-native")) {
        cmd.add(a);
      }
    }
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.objmapper.examples.Launcher"));
    cmd.addAll(List.of(args));
    return cmd;
  }

  /** SIGTERM (a server shuts down gracefully), then SIGKILL if it has not ended in 30 s. */
  static void stop(Process p) throws InterruptedException {
    p.destroy();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }
}
