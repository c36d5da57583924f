package io.objmapper.examples.cli;

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
 * stderr), 2 usage or an invalid prefix, 3 the store cannot be opened or the socket reached,
 * 4 DIR is not a readable directory. With a running serve holding the store (or {@code
 * --socket}) the files go through its socket ({@link RemoteImport}).
 */
@Command(name = "import", mixinStandardHelpOptions = true,
    description = {"Put every regular file under DIR into the store as P/<relative path>.",
        "A file that fails is named on stderr and the others are still imported.",
        "Opens the store itself (--config/--data, as serve), or goes through a running serve's socket "
            + "when one holds the store or --socket is given."})
public final class ImportCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Mixin StoreOptions store;

  @Option(names = "--prefix", paramLabel = "P", defaultValue = "",
      description = "Name prefix, e.g. /photos (default: none, names are /<relative path>).")
  String prefix;

  @Option(names = "--socket", paramLabel = "PATH",
      description = "Go through the serve listening here (default when a serve holds the store: objmapper.sock).")
  Path socket;

  @Parameters(index = "0", paramLabel = "DIR", description = "The directory to import.")
  Path dir;

  @Override
  public Integer call() throws Exception {
    StoreOptions.quietLogging();
    ImportCompilation.start(); // for the life of this JVM: it ends with the import
    String p = Importer.normalizePrefix(prefix);
    if (dir.toString().isEmpty()) { // "": not the working directory
      throw new CommandLine.ParameterException(spec.commandLine(), "DIR: empty; name the directory to import");
    }
    if (!Files.isDirectory(dir) || !Files.isReadable(dir)) {
      throw new ExitCodes.CommandFailure(ExitCodes.LOCAL_FILE, "cannot import " + dir + ": "
          + (Files.exists(dir) ? (Files.isDirectory(dir) ? "permission denied" : "not a directory") : "no such directory"));
    }
    PrintWriter err = spec.commandLine().getErr();
    java.util.function.Consumer<String> failures = line -> {
      err.println("import: " + ExitCodes.oneLine(line));
      err.flush();
    };
    Importer.Result r;
    try (ImportProgress progress = ImportProgress.forStderr("import", System.err)) {
      r = ObjectCommands.run(store, socket, true, s -> Importer.importTree(s, dir, p, progress, failures),
          (client, endpoint) -> {
            try {
              return RemoteImport.importTree(client, dir, p, Importer.OwnFiles.of(store.tiers()), progress, failures);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              throw new java.io.InterruptedIOException("interrupted");
            }
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
