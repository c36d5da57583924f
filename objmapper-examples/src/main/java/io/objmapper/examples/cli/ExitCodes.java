package io.objmapper.examples.cli;

import io.objmapper.MissingJvmFlagsException;
import io.objmapper.ObjMapperException;
import io.objmapper.StoreInUseException;
import io.objmapper.spi.InvalidObjectNameException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import picocli.CommandLine;

/**
 * The launcher's exit codes, the same for every command, and its one error style: a failure
 * is one line on stderr, {@code <command>: <what failed>: <path or endpoint>...}, and a stack
 * trace only with {@code --verbose}.
 */
public final class ExitCodes {
  /** Done. */
  public static final int OK = 0;
  /** An object or request failed: not found, an error status from the server, files an import could not take. */
  public static final int FAILED = 1;
  /** Bad usage: an unknown option, a bad argument, an invalid object name or configuration. */
  public static final int USAGE = 2;
  /** The store or server cannot be reached: no store, a store held by a running serve, no socket, no JVM flags. */
  public static final int UNAVAILABLE = 3;
  /** A local file cannot be read or written: an input file, an output file, a directory to import or listen in. */
  public static final int LOCAL_FILE = 4;
  /** Anything else: a defect; {@code --verbose} prints its stack trace. */
  public static final int INTERNAL = 5;

  private ExitCodes() {}

  /** A command that cannot go on: its message is the one line, after the command's name. */
  public static final class CommandFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    final int exitCode;

    public CommandFailure(int exitCode, String message) {
      this(exitCode, message, null);
    }

    public CommandFailure(int exitCode, String message, Throwable cause) {
      super(message, cause);
      this.exitCode = exitCode;
    }
  }

  /**
   * The failure of a connection to {@code endpoint} that {@code e} ended before its first
   * answer. A server that does not admit the peer (its allow lists, its connection limits)
   * closes it at once, before reading anything: the client then sees the connection reset or
   * closed, which says nothing by itself, so the line says what it most likely means.
   */
  static CommandFailure cannotConnect(String endpoint, IOException e) {
    boolean closedAtOnce = false;
    for (Throwable t = e; t != null; t = t.getCause()) {
      closedAtOnce |= t instanceof java.io.EOFException || t instanceof java.nio.channels.ClosedChannelException
          || (t instanceof java.net.SocketException && String.valueOf(t.getMessage()).contains("reset"));
    }
    return new CommandFailure(UNAVAILABLE, "cannot connect to " + endpoint + ": " + (closedAtOnce
        ? "the server closed the connection at once (this user may not be on its allow lists: --allow-uids, "
            + "--allow-gids, --tcp-allow; or it is at its connection limit)"
        : StoreOptions.describe(e)), e);
  }

  /** The exit code and line for an exception a command threw. */
  record Outcome(int code, String line) {}

  static Outcome classify(Throwable e) {
    if (e instanceof CommandFailure f) {
      return new Outcome(f.exitCode, f.getMessage());
    }
    if (e instanceof StoreOptions.Failure f) {
      return new Outcome(f.exitCode, f.getMessage());
    }
    if (e instanceof CommandLine.ParameterException p) {
      return new Outcome(USAGE, p.getMessage());
    }
    if (e instanceof MissingJvmFlagsException) {
      return new Outcome(UNAVAILABLE, e.getMessage());
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof StoreInUseException) {
        return new Outcome(UNAVAILABLE, "the store is in use by another process (a running serve?): " + t.getMessage());
      }
    }
    if (e instanceof InvalidObjectNameException) {
      return new Outcome(USAGE, e.getMessage());
    }
    if (e instanceof ObjMapperException o) {
      return new Outcome(FAILED, o.code() + ": " + o.getMessage());
    }
    if (e instanceof IllegalArgumentException) {
      // ConfigurationException is one; it names the file, the key, the line and column
      boolean config = e instanceof io.objmapper.ConfigurationException;
      return new Outcome(USAGE, (config ? "invalid configuration: " : "invalid argument: ") + e.getMessage());
    }
    if (e instanceof IOException || e instanceof UncheckedIOException) {
      return new Outcome(UNAVAILABLE, StoreOptions.describe((Exception) e));
    }
    return new Outcome(INTERNAL, "internal error: " + e + " (--verbose prints the stack trace)");
  }

  /** Prints {@code e} as one line (and its stack trace if {@code verbose}); answers the exit code. */
  static int report(CommandLine cmd, Throwable e, boolean verbose) {
    Outcome o = classify(e);
    String line = o.line();
    if (e instanceof IOException && cmd.getCommandSpec().findOption("--socket") != null) {
      // a connection error says which socket (the JDK's and junixsocket's messages do not)
      Object socket = cmd.getCommandSpec().findOption("--socket").getValue();
      if (socket != null && !line.contains(socket.toString())) {
        line = "connection to unix:" + java.nio.file.Path.of(socket.toString()).toAbsolutePath() + " failed: " + line;
      }
    }
    PrintWriter err = cmd.getErr();
    err.println(cmd.getCommandName() + ": " + oneLine(line));
    if (verbose) {
      e.printStackTrace(err);
    }
    err.flush();
    return o.code();
  }

  /**
   * A message kept to one line and safe for a terminal: line breaks become spaces, other
   * control characters (an escape sequence in a file name or a damaged file's bytes quoted
   * in a message) are shown as {@code \xNN}.
   */
  static String oneLine(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder b = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean lineBreak = c == '\r' || c == '\n';
      boolean control = !lineBreak && c != '\t' && (c < 0x20 || (c >= 0x7f && c < 0xa0));
      if (b == null && (lineBreak || control)) {
        b = new StringBuilder(s.length() + 16).append(s, 0, i);
      }
      if (b == null) {
        continue;
      }
      if (lineBreak) {
        b.append(' ');
      } else if (control) {
        b.append(String.format(java.util.Locale.ROOT, "\\x%02x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b == null ? s : b.toString();
  }
}
