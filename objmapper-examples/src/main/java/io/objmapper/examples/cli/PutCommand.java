package io.objmapper.examples.cli;

import io.objmapper.ObjectFlag;
import io.objmapper.spi.TierConfig;
import io.objmapper.spi.TierFlag;
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
 * and prints {@code name<TAB>size<TAB>tier}. With no server holding the store it opens the
 * store itself; through a running serve (its socket: {@code --socket}, or the default one
 * when a serve holds the store) the copy is written through a descriptor the server passes
 * and published atomically. Exit codes: 0 done, 1 the store or server refused it (no tier has
 * room, a tier rule, not a writer), 2 an invalid name or usage, 3 the store cannot be opened
 * or the socket reached, 4 FILE cannot be read. {@code --ephemeral} without a serve is refused
 * (exit 2) unless the configuration has an ephemeral tier with a folder of its own
 * ({@code mount_path}): the default store's memory tier ends with the command.
 */
@Command(name = "put", mixinStandardHelpOptions = true,
    description = {"Store a copy of FILE as the object NAME.",
        "Opens the store itself (--config/--data, as serve), or goes through a running serve's socket "
            + "when one holds the store or --socket is given."})
public final class PutCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Mixin StoreOptions store;

  @Option(names = "--socket", paramLabel = "PATH",
      description = "Go through the serve listening here (default when a serve holds the store: objmapper.sock).")
  Path socket;

  @Option(names = "--ephemeral", description = "Never on a persistent tier (lost at restart); needs a running serve "
      + "unless the configuration's ephemeral tier has a mount_path.")
  boolean ephemeral;

  @Option(names = "--pinned", description = "The lifecycle policy never moves it.")
  boolean pinned;

  @Parameters(index = "0", paramLabel = "NAME", description = "Object name, e.g. /notes/a.txt")
  String name;

  @Parameters(index = "1", paramLabel = "FILE", description = "The file to copy.")
  Path file;

  @Override
  public Integer call() throws Exception {
    StoreOptions.quietLogging();
    ObjectNames.validate(name);
    if (file.toString().isEmpty()) { // "": not the working directory
      throw new CommandLine.ParameterException(spec.commandLine(), "FILE: empty; name the file to store");
    }
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
    ObjectFlag[] f = flags.toArray(ObjectFlag[]::new);
    String line = ObjectCommands.run(store, socket, true, s -> {
          if (ephemeral) {
            refuseEphemeralLostAtExit();
          }
          return ObjectCommands.line(s.put(name, file, f));
        },
        (client, endpoint) -> ObjectCommands.line(ObjectCommands.info(store, client, client.put(name, file, f))));
    spec.commandLine().getOut().println(line);
    spec.commandLine().getOut().flush();
    return ExitCodes.OK;
  }

  /**
   * Without a serve, this command's process is the store's only one: an ephemeral object on a
   * tier without a root of its own (the default store's memory tier, made for the process and
   * removed when it exits) would be gone when the command returns, after it printed success.
   * The tier is the one the store places an ephemeral object on: the fastest writable tier
   * that is neither persistent nor remote.
   */
  private void refuseEphemeralLostAtExit() {
    TierConfig target = null;
    for (TierConfig t : store.tiers()) {
      boolean candidate = t.has(TierFlag.WRITABLE) && !t.has(TierFlag.PERSISTENT) && !t.type().equals("s3");
      if (candidate && (target == null || t.perfFactor() < target.perfFactor())) {
        target = t;
      }
    }
    if (target != null && target.root().isPresent()) {
      return; // its folder outlives the command
    }
    throw new ExitCodes.CommandFailure(ExitCodes.USAGE, "--ephemeral: without a running serve the object would be "
        + "lost when this command exits (the ephemeral tier " + (target != null ? "\"" + target.name() + "\" " : "")
        + "has no mount_path: it lives only as long as the process that opens it); put it through a serve "
        + "(--socket PATH)");
  }
}
