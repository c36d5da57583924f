package io.objmapper.examples.cli;

import static io.objmapper.examples.cli.LauncherProcess.NO_INPUT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.objmapper.ObjectNotFoundException;
import io.objmapper.client.ObjMapperClient;
import io.objmapper.client.RemoteObject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code serve --metrics}: a child process, scraped over HTTP as Prometheus would. */
class ServeMetricsProcessTest {
  private static final Pattern LISTENING =
      Pattern.compile("listening on unix:(\\S+) metrics:(http://127\\.0\\.0\\.1:\\d+/metrics)");

  @TempDir Path dir;
  Process serve;

  @AfterEach
  void stop() throws Exception {
    if (serve != null) {
      LauncherProcess.stop(serve);
    }
  }

  private static double value(String scrape, String series) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(scrape);
    assertThat(m.find()).as("series %s in%n%s", series, scrape).isTrue();
    return Double.parseDouble(m.group(1));
  }

  /** The sum of the series of {@code name} whose labels all match {@code labels} (regexes, in Prometheus' sorted order). */
  private static double sum(String scrape, String name, String labels) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\{" + labels + "\\} (\\S+)$").matcher(scrape);
    double total = 0;
    while (m.find()) {
      total += Double.parseDouble(m.group(1));
    }
    return total;
  }

  @Test
  void metricsAreScrapedInThePrometheusTextFormat() throws Exception {
    Path in = Files.createDirectories(dir.resolve("in"));
    Files.writeString(in.resolve("a.txt"), "alpha");
    Files.writeString(in.resolve("b.txt"), "beta!");
    List<String> cmd = LauncherProcess.command();
    cmd.addAll(List.of("serve",
        "--socket", dir.resolve("s.sock").toString(), "--data", dir.resolve("data").toString(),
        "--import", in.toString(), "--metrics", "127.0.0.1:0"));
    serve = new ProcessBuilder(cmd).redirectInput(NO_INPUT).redirectError(dir.resolve("err.txt").toFile()).start();
    String first = new BufferedReader(new InputStreamReader(serve.getInputStream(), StandardCharsets.UTF_8)).readLine();
    assertThat(first).as("stderr: %s", Files.exists(dir.resolve("err.txt")) ? Files.readString(dir.resolve("err.txt")) : "")
        .matches(LISTENING.pattern());
    Matcher m = LISTENING.matcher(first);
    assertThat(m.matches()).isTrue();
    URI metrics = URI.create(m.group(2));

    try (ObjMapperClient client = ObjMapperClient.unix(Path.of(m.group(1))).connect()) {
      for (int i = 0; i < 3; i++) {
        try (RemoteObject o = client.get("/a.txt")) {
          assertThat(o.bytes()).hasSize(5);
        }
      }
      assertThatThrownBy(() -> client.get("/missing")).isInstanceOf(ObjectNotFoundException.class);
      HttpClient http = HttpClient.newHttpClient();
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(metrics).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("Content-Type")).hasValue(MetricsEndpoint.CONTENT_TYPE);
      String scrape = r.body();
      assertThat(value(scrape, "objmapper_tier_objects{tier=\"disk\"}")).isEqualTo(2.0);
      assertThat(value(scrape, "objmapper_tier_bytes{tier=\"disk\"}")).isEqualTo(10.0);
      assertThat(value(scrape, "objmapper_tier_objects{tier=\"memory\"}")).isEqualTo(0.0);
      assertThat(value(scrape, "objmapper_lookups_total")).isGreaterThanOrEqualTo(3.0);
      assertThat(value(scrape, "objmapper_fdcache_hits_total") + value(scrape, "objmapper_fdcache_misses_total"))
          .isGreaterThanOrEqualTo(3.0);
      assertThat(value(scrape, "objmapper_fdcache_evictions_total")).isZero();
      assertThat(value(scrape, "objmapper_lifecycle_rounds_total")).isGreaterThanOrEqualTo(0.0);
      assertThat(value(scrape, "objmapper_lifecycle_failures_total")).isZero();
      assertThat(value(scrape, "objmapper_server_connections")).isEqualTo(1.0); // this client's
      assertThat(scrape).contains("# TYPE objmapper_fdcache_hits_total counter");
      // Requests by mode and status: the client speaks V2 over the Unix socket and asks for descriptors.
      assertThat(scrape).contains("# TYPE objmapper_server_requests_total counter");
      assertThat(value(scrape, "objmapper_server_requests_total{mode=\"fdpass\",status=\"ok\",transport=\"unix\",version=\"2\"}"))
          .isEqualTo(3.0);
      assertThat(value(scrape,
          "objmapper_server_requests_total{mode=\"fdpass\",status=\"not_found\",transport=\"unix\",version=\"2\"}"))
          .isEqualTo(1.0);
      assertThat(sum(scrape, "objmapper_server_requests_total", ".*")).isEqualTo(4.0);

      HttpResponse<String> other = http.send(HttpRequest.newBuilder(metrics.resolve("/other")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(other.statusCode()).isEqualTo(404);
      HttpResponse<String> post = http.send(HttpRequest.newBuilder(metrics)
          .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(post.statusCode()).isEqualTo(405);
    }
  }
}
