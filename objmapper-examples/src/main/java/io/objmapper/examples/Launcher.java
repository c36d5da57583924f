package io.objmapper.examples;

import io.objmapper.examples.cli.BaselineServerCommand;
import io.objmapper.examples.cli.BenchCommand;
import io.objmapper.examples.cli.GetCommand;
import io.objmapper.examples.cli.ServeCommand;
import io.objmapper.examples.cli.StatsCommand;
import io.objmapper.examples.cli.WhereCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code objmapper.jar} launcher: {@code serve}, {@code get} and {@code bench}; {@code stats} and
 * {@code where} print, as JSON, what the tiers of a store hold and where objects live.
 *
 * <pre>
 * java -jar objmapper-examples/target/objmapper.jar serve
 * java -jar objmapper-examples/target/objmapper.jar get /hello.txt
 * java -jar objmapper-examples/target/objmapper.jar bench --connections 2 --baseline /hello.txt
 * java -jar objmapper-examples/target/objmapper.jar stats --data objmapper-data
 * java -jar objmapper-examples/target/objmapper.jar where /hello.txt
 * </pre>
 */
@Command(
    name = "objmapper",
    mixinStandardHelpOptions = true,
    versionProvider = Launcher.Version.class,
    description = "Maps object names to files and hands them out as descriptors or bytes.",
    subcommands = {ServeCommand.class, GetCommand.class, BenchCommand.class, BaselineServerCommand.class,
        StatsCommand.class, WhereCommand.class})
public final class Launcher implements Runnable {
  static {
    // Chronicle Map phones home unless told not to; the launcher sets what the JVM flags would.
    System.setProperty("chronicle.analytics.disable", "true");
    System.setProperty("chronicle.announcer.disable", "true");
  }

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the launcher and returns its exit code (for tests). */
  public static int run(String... args) {
    return new CommandLine(new Launcher()).execute(args);
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.err);
  }

  /** The version from the jar manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Launcher.class.getPackage().getImplementationVersion();
      return new String[] {"objmapper " + (v != null ? v : "development build")};
    }
  }
}
