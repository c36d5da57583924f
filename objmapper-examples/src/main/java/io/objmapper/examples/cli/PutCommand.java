package io.objmapper.examples.cli;

import io.objmapper.ObjMapper;
import io.objmapper.ObjectFlag;
import io.objmapper.ObjectInfo;
import io.objmapper.spi.ObjectNames;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code put NAME FILE}: stores a copy of FILE as object NAME (replacing any earlier version)
 * and prints {@code name<TAB>size<TAB>tier}. Exit codes: 0 done, 1 the store refused it (no
 * tier has room, a tier rule), 2 an invalid name or usage, 3 the store cannot be opened (held
 * by a running serve), 4 FILE cannot be read.
 */
@Command(name = "put", mixinStandardHelpOptions = true,
    description = {"Store a copy of FILE as the object NAME.",
        "Opens the store itself (--config/--data, as serve); fails while a serve holds it."})
public final class PutCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Mixin StoreOptions store;

  @Option(names = "--ephemeral", description = "Never on a persistent tier (lost at restart).")
  boolean ephemeral;

  @Option(names = "--pinned", description = "The lifecycle policy never moves it.")
  boolean pinned;

  @Parameters(index = "0", paramLabel = "NAME", description = "Object name, e.g. /notes/a.txt")
  String name;

  @Parameters(index = "1", paramLabel = "FILE", description = "The file to copy.")
  Path file;

  @Override
  public Integer call() {
    StoreOptions.quietLogging();
    ObjectNames.validate(name);
    if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
      throw new ExitCodes.CommandFailure(ExitCodes.LOCAL_FILE, "cannot read " + file + ": "
          + (Files.exists(file) ? (Files.isRegularFile(file) ? "permission denied" : "not a regular file")
          : "no such file"));
    }
    List<ObjectFlag> flags = new ArrayList<>();
    if (ephemeral) {
      flags.add(ObjectFlag.EPHEMERAL);
    }
    if (pinned) {
      flags.add(ObjectFlag.PINNED);
    }
    ObjectInfo info;
    try (ObjMapper s = ObjectCommands.openToWrite(store)) {
      info = s.put(name, file, flags.toArray(ObjectFlag[]::new));
    }
    spec.commandLine().getOut().println(ObjectCommands.line(info));
    spec.commandLine().getOut().flush();
    return ExitCodes.OK;
  }
}
