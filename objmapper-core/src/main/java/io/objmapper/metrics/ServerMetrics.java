package io.objmapper.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.objmapper.protocol.Mode;
import io.objmapper.server.ObjectServer;
import io.objmapper.server.Refusal;
import io.objmapper.server.RequestCounts;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Binds a server's meters to a Micrometer registry: {@code objmapper.server.connections}
 * (gauge: connections open now), {@code objmapper.server.refused} (counter: connections closed
 * before anything was read from them, tag {@code reason} {@code unix_peer|tcp_source|authorizer|limit})
 * and {@code objmapper.server.requests} (counter: requests
 * answered, tags {@code transport} {@code unix|tcp|udp}, {@code version} {@code 1|2}, {@code
 * mode} {@code fdpass|copy|splice|segmented|none} (none: the frame could not be decoded) and
 * {@code status}, the wire status in lower case such as {@code ok} or {@code not_found}). The
 * server counts in {@link RequestCounts} without allocating or locking; the meters read those
 * counts when the registry asks.
 *
 * <p>A request counter is registered once its combination has been answered at least once,
 * so a scrape shows no hundreds of zeros: call {@link #update()} before each scrape (the
 * launcher's {@code /metrics} does) to register the combinations seen since.
 *
 * <pre>{@code
 * ServerMetrics m = new ServerMetrics(server);
 * m.bindTo(registry);
 * m.update(); // before registry.scrape()
 * }</pre>
 */
public final class ServerMetrics implements MeterBinder {
  private final ObjectServer server;
  private final Tags tags;
  private final Set<String> registered = new HashSet<>();
  private final List<MeterRegistry> registries = new ArrayList<>();

  /** Meters for {@code server}, with no extra tags. */
  public ServerMetrics(ObjectServer server) {
    this(server, Tags.empty());
  }

  /** Meters for {@code server}, each carrying {@code tags}. */
  public ServerMetrics(ObjectServer server, Iterable<Tag> tags) {
    this.server = Objects.requireNonNull(server, "server");
    this.tags = Tags.of(Objects.requireNonNull(tags, "tags"));
  }

  @Override
  public synchronized void bindTo(MeterRegistry registry) {
    Gauge.builder("objmapper.server.connections", server, ObjectServer::connectionCount)
        .description("Connections the server holds open now")
        .tags(tags)
        .register(registry);
    for (Refusal why : Refusal.values()) {
      FunctionCounter.builder("objmapper.server.refused", server, s -> s.refusedCount(why))
          .description("Connections closed before anything was read from them: a peer not admitted "
              + "(allow_uids/allow_gids, tcp_allow, the authorizer) or a connection limit")
          .tags(tags)
          .tag("reason", why.label())
          .register(registry);
    }
    registries.add(registry);
    registered.clear();
    update();
  }

  /** Registers a request counter for each combination answered since the last call. */
  public synchronized void update() {
    RequestCounts counts = server.requestCounts();
    counts.forEach((transport, version, mode, status, n) -> {
      String key = transport + "/" + version + "/" + mode + "/" + status;
      if (registered.add(key)) {
        for (MeterRegistry r : registries) {
          FunctionCounter.builder("objmapper.server.requests", counts, c -> c.get(transport, version, mode, status))
              .description("Requests answered, by transport, protocol version, mode and status")
              .tags(tags)
              .tag("transport", transport.name().toLowerCase(Locale.ROOT))
              .tag("version", Integer.toString(version))
              .tag("mode", modeName(mode))
              .tag("status", status.name().toLowerCase(Locale.ROOT))
              .register(r);
        }
      }
    });
  }

  private static String modeName(Mode mode) {
    return mode == null ? "none" : mode.name().toLowerCase(Locale.ROOT);
  }
}
