package io.objmapper.examples.cli;

import io.objmapper.spi.ObjectNames;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code rm NAME...}: deletes objects from every tier, in the store opened directly or through
 * a running serve's socket (as {@link PutCommand}). Exit codes: 0 all deleted, 1 a name was
 * not in the store (named on stderr; the others are still deleted) or the server refused, 2
 * an invalid name or usage, 3 the store cannot be opened or the socket reached.
 */
@Command(name = "rm", mixinStandardHelpOptions = true,
    description = {"Delete objects from every tier.",
        "Opens the store itself (--config/--data, as serve), or goes through a running serve's socket "
            + "when one holds the store or --socket is given."})
public final class RmCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Mixin StoreOptions store;

  @Option(names = "--socket", paramLabel = "PATH",
      description = "Go through the serve listening here (default when a serve holds the store: objmapper.sock).")
  Path socket;

  @Parameters(arity = "1..*", paramLabel = "NAME", description = "Object names, e.g. /notes/a.txt")
  List<String> names;

  @Override
  public Integer call() throws Exception {
    StoreOptions.quietLogging();
    names.forEach(ObjectNames::validate); // all checked before anything is deleted
    int code = ObjectCommands.run(store, socket, false, s -> deleteAll(s::delete),
        (client, endpoint) -> deleteAll(client::delete));
    spec.commandLine().getErr().flush();
    return code;
  }

  /** One delete. */
  private interface Delete {
    boolean delete(String name) throws IOException;
  }

  private int deleteAll(Delete d) throws IOException {
    int code = ExitCodes.OK;
    for (String name : names) {
      if (!d.delete(name)) {
        spec.commandLine().getErr().println("rm: not found: " + name);
        code = ExitCodes.FAILED;
      }
    }
    return code;
  }
}
