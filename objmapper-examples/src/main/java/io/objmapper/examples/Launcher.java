package io.objmapper.examples;

import io.objmapper.examples.cli.BaselineServerCommand;
import io.objmapper.examples.cli.BenchCommand;
import io.objmapper.examples.cli.GetCommand;
import io.objmapper.examples.cli.ImportCommand;
import io.objmapper.examples.cli.LauncherErrors;
import io.objmapper.examples.cli.LsCommand;
import io.objmapper.examples.cli.PutCommand;
import io.objmapper.examples.cli.RmCommand;
import io.objmapper.examples.cli.ServeCommand;
import io.objmapper.examples.cli.StatCommand;
import io.objmapper.examples.cli.StatsCommand;
import io.objmapper.examples.cli.WhereCommand;
import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The {@code objmapper.jar} launcher: {@code serve}, {@code get} and {@code bench};
 * {@code put}, {@code rm}, {@code ls}, {@code stat} and {@code import} manage the objects of a
 * store no server holds; {@code stats} and {@code where} print, as JSON, what the tiers of a
 * store hold and where objects live; {@code help [COMMAND]} explains each.
 *
 * <pre>
 * java -jar objmapper-examples/target/objmapper.jar serve
 * java -jar objmapper-examples/target/objmapper.jar get /hello.txt
 * java -jar objmapper-examples/target/objmapper.jar put --data objmapper-data /notes/a.txt a.txt
 * java -jar objmapper-examples/target/objmapper.jar ls --data objmapper-data /notes/
 * java -jar objmapper-examples/target/objmapper.jar bench --connections 2 --baseline /hello.txt
 * java -jar objmapper-examples/target/objmapper.jar stats --data objmapper-data
 * java -jar objmapper-examples/target/objmapper.jar where /hello.txt
 * </pre>
 *
 * <p>Every failure is one line on stderr naming the command, what failed and the path or
 * endpoint, with the exit code of {@link io.objmapper.examples.cli.ExitCodes}; {@code --verbose}
 * adds the stack trace.
 */
@Command(
    name = "objmapper",
    mixinStandardHelpOptions = true,
    versionProvider = Launcher.Version.class,
    description = "Maps object names to files and hands them out as descriptors or bytes.",
    subcommands = {CommandLine.HelpCommand.class, ServeCommand.class, GetCommand.class, PutCommand.class,
        RmCommand.class, LsCommand.class, StatCommand.class, ImportCommand.class, StatsCommand.class,
        WhereCommand.class, BenchCommand.class, BaselineServerCommand.class})
public final class Launcher implements Runnable {
  static {
    // Chronicle Map phones home unless told not to; the launcher sets what the JVM flags would.
    System.setProperty("chronicle.analytics.disable", "true");
    System.setProperty("chronicle.announcer.disable", "true");
  }

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--verbose", scope = ScopeType.INHERIT,
      description = "On a failure, print the stack trace after the one-line message.")
  boolean verbose;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the launcher and returns its exit code (for tests). */
  public static int run(String... args) {
    return commandLine().execute(args);
  }

  /** The launcher's command line with its error handling: one line per failure, the documented exit codes. */
  public static CommandLine commandLine() {
    return LauncherErrors.install(new CommandLine(new Launcher()));
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getErr());
  }

  /** The project version: the jar manifest's Implementation-Version, else the one built into the classes. */
  public static String version() {
    String v = Launcher.class.getPackage().getImplementationVersion();
    if (v != null) {
      return v;
    }
    try (InputStream in = Launcher.class.getResourceAsStream("launcher.properties")) {
      if (in != null) {
        Properties p = new Properties();
        p.load(in);
        String built = p.getProperty("version");
        if (built != null && !built.startsWith("${")) {
          return built;
        }
      }
    } catch (IOException e) {
      // no version to tell
    }
    return "development build";
  }

  /** {@code --version}. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"objmapper " + version()};
    }
  }
}
