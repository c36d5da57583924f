package io.objmapper.examples.cli;

import io.objmapper.ObjMapper;
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
 * nothing matches), 2 usage, 3 the store cannot be opened.
 */
@Command(name = "ls", mixinStandardHelpOptions = true,
    description = {"List objects (name, size, tier), one per line, sorted by name.",
        "Opens the store itself (--config/--data, as serve); fails while a serve holds it."})
public final class LsCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Mixin StoreOptions store;

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
    List<ObjectInfo> found;
    try (ObjMapper s = ObjectCommands.openExisting(store)) {
      found = s.list(prefix);
    }
    PrintWriter out = spec.commandLine().getOut();
    for (ObjectInfo o : found) {
      out.println(json ? ObjectCommands.JSON.writeValueAsString(ObjectCommands.json(o, false)) : ObjectCommands.line(o));
    }
    out.flush();
    return ExitCodes.OK;
  }
}
