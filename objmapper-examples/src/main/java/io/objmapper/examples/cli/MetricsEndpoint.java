package io.objmapper.examples.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.objmapper.ObjMapper;
import io.objmapper.metrics.ObjMapperMetrics;
import io.objmapper.server.ObjectServer;
import io.objmapper.server.Refusal;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * {@code serve --metrics HOST:PORT}: {@code GET /metrics} answers the store's meters
 * ({@link ObjMapperMetrics}: lookups, index and descriptor-cache hits, misses and
 * evictions, each tier's objects, bytes and capacity, the lifecycle totals) and the server's
 * open connections, in the Prometheus text format, from Micrometer's Prometheus registry
 * over the JDK's HTTP server. Other paths answer 404, other methods 405. One thread serves
 * the scrapes; each reads the store's counters when it comes, nothing is counted on the
 * request path.
 */
final class MetricsEndpoint implements AutoCloseable {
  /** Prometheus' text exposition format. */
  static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final HttpServer http;
  private final ExecutorService executor;

  private MetricsEndpoint(HttpServer http) {
    this.http = http;
    this.executor = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "objmapper-metrics");
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Binds {@code address} and serves the meters of {@code store} at {@code /metrics}.
   *
   * @throws IOException if the address cannot be bound
   */
  static MetricsEndpoint start(InetSocketAddress address, ObjMapper store) throws IOException {
    MetricsEndpoint m = new MetricsEndpoint(HttpServer.create(address, 16));
    new ObjMapperMetrics(store).bindTo(m.registry);
    m.http.createContext("/", m::handle);
    m.http.setExecutor(m.executor);
    m.http.start();
    return m;
  }

  /**
   * Adds the server's open connections ({@code objmapper_server_connections}) and the
   * connections it closed before reading them, by reason
   * ({@code objmapper_server_refused_total{reason="unix_peer|tcp_source|authorizer|limit"}}).
   */
  void bind(ObjectServer server) {
    Gauge.builder("objmapper.server.connections", server, ObjectServer::connectionCount)
        .description("Connections the server holds open now")
        .register(registry);
    for (Refusal why : Refusal.values()) {
      FunctionCounter.builder("objmapper.server.refused", server, s -> s.refusedCount(why))
          .description("Connections closed before anything was read from them: a peer not admitted "
              + "(allow_uids/allow_gids, tcp_allow, the authorizer) or a connection limit")
          .tag("reason", why.label())
          .register(registry);
    }
  }

  /** Where it listens (the port chosen if 0 was asked). */
  InetSocketAddress address() {
    return http.getAddress();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!exchange.getRequestURI().getPath().equals("/metrics")) {
        reply(exchange, 404, "not found: only /metrics is served\n");
      } else if (!exchange.getRequestMethod().equals("GET") && !exchange.getRequestMethod().equals("HEAD")) {
        exchange.getResponseHeaders().set("Allow", "GET, HEAD");
        reply(exchange, 405, "method not allowed\n");
      } else {
        exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
        byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
        if (exchange.getRequestMethod().equals("HEAD")) {
          exchange.sendResponseHeaders(200, -1);
        } else {
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        }
      }
    }
  }

  private static void reply(HttpExchange exchange, int status, String text) throws IOException {
    byte[] body = text.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  @Override
  public void close() {
    http.stop(0);
    executor.shutdownNow();
    registry.close();
  }
}
