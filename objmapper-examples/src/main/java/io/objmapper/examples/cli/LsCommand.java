package io.objmapper.examples.cli;

import java.nio.file.Path;
import io.objmapper.ObjectInfo;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ls [PREFIX]}: the objects whose names start with PREFIX (default {@code /}), sorted
 * by name, one per line: {@code name<TAB>size<TAB>tier}, or with {@code --json} one JSON
 * object per line ({@code name}, {@code size}, {@code tier}). Exit codes: 0 done (also when
 * nothing matches), 1 the server refused (more objects than a LIST answers), 2 usage, 3 the
 * store cannot be opened or the socket reached. Through a running serve as {@link PutCommand}.
 */
@Command(name = "ls", mixinStandardHelpOptions = true,
    description = {"List objects (name, size, tier), one per line, sorted by name.",
        "Opens the store itself (--config/--data, as serve), or asks a running serve (LIST) "
            + "when one holds the store or --socket is given."})
public final class LsCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Mixin StoreOptions store;

  @Option(names = "--socket", paramLabel = "PATH",
      description = "Go through the serve listening here (default when a serve holds the store: objmapper.sock).")
  Path socket;

  @Option(names = "--json", description = "One JSON object per line instead of tab-separated columns.")
  boolean json;

  @Parameters(index = "0", arity = "0..1", paramLabel = "PREFIX", defaultValue = "/",
      description = "Only names starting with this (default: ${DEFAULT-VALUE}).")
  String prefix;

  @Override
  public Integer call() throws Exception {
    StoreOptions.quietLogging();
    if (!prefix.startsWith("/")) {
      throw new CommandLine.ParameterException(spec.commandLine(), "PREFIX must start with /, not '" + prefix + "'");
    }
    List<ObjectInfo> found = ObjectCommands.run(store, socket, false, s -> s.list(prefix), (client, endpoint) -> {
      List<ObjectInfo> infos = new java.util.ArrayList<>();
      for (io.objmapper.client.StoredObject o : client.list(prefix)) {
        infos.add(ObjectCommands.info(store, client, o));
      }
      return infos;
    });
    PrintWriter out = spec.commandLine().getOut();
    for (ObjectInfo o : found) {
      out.println(json ? ObjectCommands.JSON.writeValueAsString(ObjectCommands.json(o, false)) : ObjectCommands.line(o));
    }
    out.flush();
    return ExitCodes.OK;
  }
}
