package io.objmapper.examples.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.objmapper.ObjMapper;
import io.objmapper.Placement;
import io.objmapper.spi.InvalidObjectNameException;
import io.objmapper.spi.ObjectNames;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code where NAME...}: opens a store the way {@code serve} does and prints, for each name
 * found, one line of JSON: the tier serving it, its id, its home tier, its hotness and what
 * the lifecycle policy makes of it. Exit codes: 0 every name found, 1 some name not found
 * (named on stderr; the others are still printed), 2 an invalid name (nothing printed), bad
 * usage or an invalid configuration, 3 the store cannot be opened (a {@code serve} holds
 * it, or there is none).
 *
 * <pre>
 * {"name":"/hello.txt","tier":"disk","tier_id":1,"home_tier":"disk","score":0.0,"heat":0.0,"accesses":0,
 *  "reason":"cold (0.00 < 0.30), on the slowest tier it may use"}
 * </pre>
 *
 * <p>Heat is counted in memory by the process serving the store: a store opened by this
 * command starts from what it finds on its tiers.
 */
@Command(name = "where", mixinStandardHelpOptions = true,
    description = {"Print where objects live and why (tier, hotness), one JSON object per name found.",
        "The store must not be served meanwhile: a running serve holds it (exit 3)."})
public final class WhereCommand implements Callable<Integer> {
  /** Exit code: some name is not in the store. */
  static final int NOT_FOUND = 1;

  private static final ObjectMapper JSON = new ObjectMapper();

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Mixin StoreOptions store;

  @Parameters(arity = "1..*", paramLabel = "NAME", description = "Object names, e.g. /hello.txt")
  List<String> names;

  @Override
  public Integer call() throws Exception {
    StoreOptions.quietLogging();
    PrintWriter err = spec.commandLine().getErr();
    for (String name : names) { // all checked before the store is opened
      try {
        ObjectNames.validate(name);
      } catch (InvalidObjectNameException e) {
        err.println("where: " + ExitCodes.oneLine(e.getMessage()));
        err.flush();
        return CommandLine.ExitCode.USAGE;
      }
    }
    List<ObjectNode> found = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    try (ObjMapper s = store.openExisting()) {
      for (String name : names) {
        Optional<Placement> p;
        try {
          p = s.placement(name);
        } catch (InvalidObjectNameException e) { // valid, but not a name the store can hold
          throw new StoreOptions.Failure(CommandLine.ExitCode.USAGE, e.getMessage());
        }
        if (p.isPresent()) {
          found.add(toJson(p.get()));
        } else {
          missing.add(name);
        }
      }
    } catch (StoreOptions.Failure f) {
      err.println("where: " + ExitCodes.oneLine(f.getMessage()));
      err.flush();
      return f.exitCode;
    }
    PrintWriter out = spec.commandLine().getOut();
    for (ObjectNode n : found) {
      out.println(JSON.writeValueAsString(n));
    }
    out.flush();
    for (String name : missing) {
      err.println("where: not found: " + name);
    }
    err.flush();
    return missing.isEmpty() ? 0 : NOT_FOUND;
  }

  /** The JSON {@code where} prints for {@code p}. */
  static ObjectNode toJson(Placement p) {
    ObjectNode n = JSON.createObjectNode();
    n.put("name", p.name());
    n.put("tier", p.tier());
    n.put("tier_id", p.tierId());
    n.put("home_tier", p.homeTier());
    n.put("score", p.score());
    n.put("heat", p.heat());
    n.put("accesses", p.accesses());
    n.put("reason", p.reason());
    return n;
  }
}
