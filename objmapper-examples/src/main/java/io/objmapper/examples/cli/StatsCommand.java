package io.objmapper.examples.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.objmapper.ObjMapper;
import io.objmapper.ObjMapperStats;
import io.objmapper.spi.TierConfig;
import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code stats}: opens a store the way {@code serve} does and prints one line of JSON: each
 * tier's objects, bytes and capacity, the lifecycle totals of this run, and
 * {@code "live":false}. While a {@code serve} holds the store it prints instead the snapshot
 * that server keeps ({@link StatsSnapshot}, refreshed every second): the same fields with
 * {@code "live":true}, the server's {@code "pid"} and {@code "as_of"}, the time of the
 * snapshot. A snapshot not rewritten for {@value StatsSnapshot#STALE_AFTER_MILLIS} ms while
 * its server runs (it cannot write it: a full disk) is printed with {@code "live":false},
 * {@code "stale":true} and its {@code "age_ms"}, and said so on stderr. Exit codes: 0 done, 2 bad usage or an invalid configuration, 3 the store cannot
 * be opened (held by a process that keeps no live snapshot, or there is none).
 *
 * <pre>
 * {"tiers":[{"name":"memory","id":0,"type":"memory","persistent":false,"objects":0,"bytes":0,
 *   "capacity_bytes":null}, ...],
 *  "lifecycle":{"rounds":0,"promotions":0,"demotions":0,"evictions":0,"manual_moves":0,
 *   "bytes_moved":0,"failures":0,"busy_rounds":0},"live":false}
 * </pre>
 */
@Command(name = "stats", mixinStandardHelpOptions = true,
    description = {"Print what each tier of a store holds, as one JSON object.",
        "While a serve runs on the store, prints that server's snapshot (refreshed every second)."})
public final class StatsCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Mixin StoreOptions store;

  @Override
  public Integer call() throws Exception {
    StoreOptions.quietLogging();
    PrintWriter err = spec.commandLine().getErr();
    ObjMapperStats stats;
    try (ObjMapper s = store.openExisting()) {
      stats = s.stats();
    } catch (StoreOptions.Failure f) {
      Optional<ObjectNode> live = f.storeInUse
          ? store.statsSnapshot().flatMap(StatsSnapshot::readLive) : Optional.empty();
      if (live.isPresent()) { // a running serve holds the store: answer from its snapshot
        ObjectNode snapshot = live.get();
        long age = StatsSnapshot.ageMillis(snapshot, java.time.Instant.now());
        if (age > StatsSnapshot.STALE_AFTER_MILLIS) { // the server runs but has stopped rewriting it
          snapshot.put("live", false);
          snapshot.put("stale", true);
          snapshot.put("age_ms", age);
          err.println("stats: the snapshot of serve (pid " + snapshot.path("pid").asLong() + ") is stale: written "
              + snapshot.path("as_of").asText() + ", " + age / 1000 + " s ago; the server cannot rewrite "
              + store.statsSnapshot().map(Object::toString).orElse("it") + " (a full disk?)");
          err.flush();
        }
        return print(snapshot);
      }
      err.println("stats: " + ExitCodes.oneLine(f.getMessage()));
      err.flush();
      return f.exitCode;
    }
    ObjectNode json = toJson(stats);
    json.put("live", false); // read from the store at rest, not from a running server
    return print(json);
  }

  private int print(ObjectNode json) throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    out.println(JSON.writeValueAsString(json));
    out.flush();
    return 0;
  }

  /** The JSON {@code stats} prints for {@code stats}, without {@code "live"}. */
  static ObjectNode toJson(ObjMapperStats stats) {
    ObjectNode root = JSON.createObjectNode();
    ArrayNode tiers = root.putArray("tiers");
    for (ObjMapperStats.TierStats t : stats.tiers()) {
      ObjectNode n = tiers.addObject();
      n.put("name", t.name());
      n.put("id", t.id());
      n.put("type", t.type());
      n.put("persistent", t.persistent());
      n.put("objects", t.objects());
      n.put("bytes", t.bytes());
      if (t.capacityBytes() == TierConfig.UNLIMITED) {
        n.putNull("capacity_bytes");
      } else {
        n.put("capacity_bytes", t.capacityBytes());
      }
    }
    ObjMapperStats.Lifecycle l = stats.lifecycle();
    ObjectNode lifecycle = root.putObject("lifecycle");
    lifecycle.put("rounds", l.rounds());
    lifecycle.put("promotions", l.promotions());
    lifecycle.put("demotions", l.demotions());
    lifecycle.put("evictions", l.evictions());
    lifecycle.put("manual_moves", l.manualMoves());
    lifecycle.put("bytes_moved", l.bytesMoved());
    lifecycle.put("failures", l.failures());
    lifecycle.put("busy_rounds", l.busyRounds());
    return root;
  }
}
