package io.objmapper.examples.cli;

import io.objmapper.ObjMapper;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code import DIR [--prefix P]}: puts every regular file under DIR into the store as the
 * object {@code P/<relative path>}, then prints one summary line. A file that cannot be
 * imported is named on stderr (one line each) and the import goes on with the rest; what
 * was imported stays. Exit codes: 0 every file imported, 1 some file was not (the count on
 * stderr), 2 usage or an invalid prefix, 3 the store cannot be opened (held by a running
 * serve), 4 DIR is not a readable directory.
 */
@Command(name = "import", mixinStandardHelpOptions = true,
    description = {"Put every regular file under DIR into the store as P/<relative path>.",
        "A file that fails is named on stderr and the others are still imported.",
        "Opens the store itself (--config/--data, as serve); fails while a serve holds it."})
public final class ImportCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Mixin StoreOptions store;

  @Option(names = "--prefix", paramLabel = "P", defaultValue = "",
      description = "Name prefix, e.g. /photos (default: none, names are /<relative path>).")
  String prefix;

  @Parameters(index = "0", paramLabel = "DIR", description = "The directory to import.")
  Path dir;

  @Override
  public Integer call() throws Exception {
    StoreOptions.quietLogging();
    String p = Importer.normalizePrefix(prefix);
    if (!Files.isDirectory(dir) || !Files.isReadable(dir)) {
      throw new ExitCodes.CommandFailure(ExitCodes.LOCAL_FILE, "cannot import " + dir + ": "
          + (Files.exists(dir) ? (Files.isDirectory(dir) ? "permission denied" : "not a directory") : "no such directory"));
    }
    PrintWriter err = spec.commandLine().getErr();
    Importer.Result r;
    try (ObjMapper s = ObjectCommands.openToWrite(store);
        ImportProgress progress = ImportProgress.forStderr("import", System.err)) {
      r = Importer.importTree(s, dir, p, progress, line -> {
        err.println("import: " + line);
        err.flush();
      });
    }
    PrintWriter out = spec.commandLine().getOut();
    out.println(summary(r, dir));
    out.flush();
    if (r.failed() > 0) {
      err.println("import: " + r.failed() + " of " + (r.objects() + r.failed()) + " files failed (named above); "
          + "the others are imported");
      err.flush();
      return ExitCodes.FAILED;
    }
    return ExitCodes.OK;
  }

  /** {@code imported N objects (B bytes) from DIR in S s (R objects/s)}. */
  static String summary(Importer.Result r, Path dir) {
    double secs = r.nanos() / 1e9;
    return String.format(Locale.ROOT, "imported %d objects (%d bytes) from %s in %.2f s (%.0f objects/s)",
        r.objects(), r.bytes(), dir, secs, secs > 0 ? r.objects() / secs : 0.0);
  }
}
