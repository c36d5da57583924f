package io.objmapper.examples.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.objmapper.ObjMapper;
import io.objmapper.metrics.ObjMapperMetrics;
import io.objmapper.metrics.ServerMetrics;
import io.objmapper.server.ObjectServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * {@code serve --metrics HOST:PORT}: {@code GET /metrics} answers the store's meters
 * ({@link ObjMapperMetrics}: lookups, index and descriptor-cache hits, misses and
 * evictions, each tier's objects, bytes and capacity, the lifecycle totals) and the
 * server's ({@link ServerMetrics}: open connections, requests by transport, version, mode
 * and status), in the Prometheus text format, from Micrometer's Prometheus registry over
 * the JDK's HTTP server. Other paths answer 404, other methods 405. One thread serves
 * the scrapes; each reads the counters when it comes; the server's request counts are
 * {@code LongAdder}s, with no allocation or lock on the request path.
 */
final class MetricsEndpoint implements AutoCloseable {
  /** Prometheus' text exposition format. */
  static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final HttpServer http;
  private final ExecutorService executor;
  private volatile ServerMetrics serverMetrics;

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
   * Adds the server's meters ({@link ServerMetrics}): open connections ({@code
   * objmapper_server_connections}), connections refused by reason ({@code
   * objmapper_server_refused_total}) and requests by transport, version, mode and status
   * ({@code objmapper_server_requests_total}).
   */
  void bind(ObjectServer server) {
    ServerMetrics m = new ServerMetrics(server);
    m.bindTo(registry);
    serverMetrics = m;
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
        ServerMetrics m = serverMetrics;
        if (m != null) {
          m.update(); // the request counters of combinations answered since the last scrape
        }
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
