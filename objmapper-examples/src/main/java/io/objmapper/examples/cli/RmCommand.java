package io.objmapper.examples.cli;

import io.objmapper.ObjMapper;
import io.objmapper.spi.ObjectNames;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code rm NAME...}: deletes objects from every tier. Exit codes: 0 all deleted, 1 a name
 * was not in the store (named on stderr; the others are still deleted), 2 an invalid name or
 * usage, 3 the store cannot be opened.
 */
@Command(name = "rm", mixinStandardHelpOptions = true,
    description = {"Delete objects from every tier.",
        "Opens the store itself (--config/--data, as serve); fails while a serve holds it."})
public final class RmCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Mixin StoreOptions store;

  @Parameters(arity = "1..*", paramLabel = "NAME", description = "Object names, e.g. /notes/a.txt")
  List<String> names;

  @Override
  public Integer call() {
    StoreOptions.quietLogging();
    names.forEach(ObjectNames::validate); // all checked before anything is deleted
    int code = ExitCodes.OK;
    try (ObjMapper s = ObjectCommands.openExisting(store)) {
      for (String name : names) {
        if (!s.delete(name)) {
          spec.commandLine().getErr().println("rm: not found: " + name);
          code = ExitCodes.FAILED;
        }
      }
    }
    spec.commandLine().getErr().flush();
    return code;
  }
}
