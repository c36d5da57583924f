package io.objmapper.examples.cli;

import io.objmapper.ObjMapper;
import io.objmapper.ObjectInfo;
import io.objmapper.spi.ObjectNames;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code stat NAME}: one line of JSON about the object: {@code name}, {@code size},
 * {@code tier}, {@code tier_id}, {@code mtime} (ISO-8601), {@code ephemeral}, {@code pinned}.
 * Exit codes: 0 found, 1 not found, 2 an invalid name or usage, 3 the store cannot be opened.
 */
@Command(name = "stat", mixinStandardHelpOptions = true,
    description = {"Print what the store knows of one object, as one JSON object.",
        "Opens the store itself (--config/--data, as serve); fails while a serve holds it."})
public final class StatCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Mixin StoreOptions store;

  @Parameters(index = "0", paramLabel = "NAME", description = "Object name, e.g. /notes/a.txt")
  String name;

  @Override
  public Integer call() throws Exception {
    StoreOptions.quietLogging();
    ObjectNames.validate(name);
    Optional<ObjectInfo> info;
    try (ObjMapper s = ObjectCommands.openExisting(store)) {
      info = s.stat(name);
    }
    if (info.isEmpty()) {
      throw new ExitCodes.CommandFailure(ExitCodes.FAILED, "not found: " + name);
    }
    spec.commandLine().getOut().println(ObjectCommands.JSON.writeValueAsString(ObjectCommands.json(info.get(), true)));
    spec.commandLine().getOut().flush();
    return ExitCodes.OK;
  }
}
