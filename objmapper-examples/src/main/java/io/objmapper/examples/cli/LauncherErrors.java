package io.objmapper.examples.cli;

import java.io.PrintWriter;
import picocli.CommandLine;

/**
 * Installs the launcher's one error style on a command line: a usage error or a failure is
 * one line on stderr starting with the command's name, the exit code is that of
 * {@link ExitCodes}, and the stack trace follows only with {@code --verbose}.
 */
public final class LauncherErrors {
  private LauncherErrors() {}

  public static CommandLine install(CommandLine cl) {
    cl.setParameterExceptionHandler((ex, args) -> {
      CommandLine cmd = ex.getCommandLine();
      PrintWriter err = cmd.getErr();
      String name = cmd.getCommandName();
      err.println(name + ": " + ExitCodes.oneLine(ex.getMessage()) + " (see: objmapper help"
          + (cmd.getParent() != null ? " " + name : "") + ")");
      if (verbose(cl.getParseResult())) {
        ex.printStackTrace(err);
      }
      err.flush();
      return ExitCodes.USAGE;
    });
    cl.setExecutionExceptionHandler((ex, cmd, parseResult) -> ExitCodes.report(cmd, ex, verbose(parseResult)));
    return cl;
  }

  /** Whether {@code --verbose} was given to the launcher or any of its subcommands. */
  static boolean verbose(CommandLine.ParseResult r) {
    for (CommandLine.ParseResult p = r; p != null; p = p.subcommand()) {
      if (p.hasMatchedOption("--verbose")) {
        return true;
      }
    }
    return false;
  }
}
