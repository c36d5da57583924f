package io.objmapper.examples.cli;

import java.nio.file.Path;
import io.objmapper.ObjectInfo;
import io.objmapper.spi.ObjectNames;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code stat NAME}: one line of JSON about the object: {@code name}, {@code size},
 * {@code tier}, {@code tier_id}, {@code mtime} (ISO-8601), {@code ephemeral}, {@code pinned}.
 * Exit codes: 0 found, 1 not found, 2 an invalid name or usage, 3 the store cannot be opened
 * or the socket reached. Through a running serve as {@link PutCommand}.
 */
@Command(name = "stat", mixinStandardHelpOptions = true,
    description = {"Print what the store knows of one object, as one JSON object.",
        "Opens the store itself (--config/--data, as serve), or asks a running serve (STAT) "
            + "when one holds the store or --socket is given."})
public final class StatCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Mixin StoreOptions store;

  @Option(names = "--socket", paramLabel = "PATH",
      description = "Go through the serve listening here (default when a serve holds the store: objmapper.sock).")
  Path socket;

  @Parameters(index = "0", paramLabel = "NAME", description = "Object name, e.g. /notes/a.txt")
  String name;

  @Override
  public Integer call() throws Exception {
    StoreOptions.quietLogging();
    ObjectNames.validate(name);
    Optional<ObjectInfo> info = ObjectCommands.run(store, socket, false, s -> s.stat(name),
        (client, endpoint) -> client.stat(name).map(o -> ObjectCommands.info(store, client, o)));
    if (info.isEmpty()) {
      throw new ExitCodes.CommandFailure(ExitCodes.FAILED, "not found: " + name);
    }
    spec.commandLine().getOut().println(ObjectCommands.JSON.writeValueAsString(ObjectCommands.json(info.get(), true)));
    spec.commandLine().getOut().flush();
    return ExitCodes.OK;
  }
}
