package io.objmapper.examples.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Summarizes a JFR recording of the server taken while the load generator ran: for the
 * threads whose name contains {@code --threads}, the most frequent top frames of the Java
 * ({@code jdk.ExecutionSample}) and native ({@code jdk.NativeMethodSample}) samples, and
 * the bytes they allocated during the recording (from the {@code jdk.ThreadAllocationStatistics}
 * events: last minus first, or last alone for a thread started during the recording),
 * divided by {@code --requests} (the requests served during the recording), and where that
 * allocation comes from according to {@code jdk.ObjectAllocationSample} (an estimate: the
 * sampled weights by allocated class and allocating frames). A thread that ended before
 * the recording did has no final statistics event: only the sampled estimate covers it.
 *
 * <pre>
 * jcmd SERVER_PID JFR.start name=b settings=profile filename=/tmp/server.jfr
 * java -jar objmapper-examples/target/objmapper.jar bench ... --warmup 0 --seconds 10 ...
 * jcmd SERVER_PID JFR.stop name=b
 * java -cp objmapper-examples/target/objmapper.jar io.objmapper.examples.bench.JfrSummary \
 *     --requests REQUESTS /tmp/server.jfr
 * </pre>
 */
@Command(name = "JfrSummary", mixinStandardHelpOptions = true,
    description = "Top frames and allocation per request of a server's connection threads in a JFR file.")
public final class JfrSummary implements Callable<Integer> {
  @Option(names = "--threads", defaultValue = "objmapper-io",
      description = "Threads whose name contains this (default: ${DEFAULT-VALUE}).")
  String threads;

  @Option(names = "--depth", defaultValue = "4", description = "Frames shown per stack (default: ${DEFAULT-VALUE}).")
  int depth;

  @Option(names = "--top", defaultValue = "8",
      description = "Stacks shown per kind of sample (default: ${DEFAULT-VALUE}).")
  int top;

  @Option(names = "--requests", defaultValue = "0",
      description = "Requests served during the recording, for bytes per request (0: not shown).")
  long requests;

  @Parameters(arity = "1", paramLabel = "FILE", description = "The .jfr recording.")
  Path file;

  public static void main(String[] args) {
    System.exit(new CommandLine(new JfrSummary()).execute(args));
  }

  @Override
  public Integer call() throws IOException {
    Map<String, Map<String, Integer>> stacks = new TreeMap<>();
    Map<String, Integer> samples = new TreeMap<>();
    Map<Long, String> names = new TreeMap<>();
    Map<Long, long[]> allocated = new TreeMap<>();
    Map<Long, Boolean> startedDuring = new HashMap<>();
    Map<String, Long> sampledWeight = new HashMap<>();
    long sampledTotal = 0;
    for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
      String type = e.getEventType().getName();
      if (type.equals("jdk.ExecutionSample") || type.equals("jdk.NativeMethodSample")) {
        String thread = threadName(e.getThread("sampledThread"));
        if (!thread.contains(threads)) {
          continue;
        }
        String kind = type.equals("jdk.ExecutionSample") ? "java" : "native";
        samples.merge(kind, 1, Integer::sum);
        stacks.computeIfAbsent(kind, k -> new HashMap<>()).merge(stack(e.getStackTrace()), 1, Integer::sum);
      } else if (type.equals("jdk.ObjectAllocationSample")) {
        if (!threadName(e.getThread("eventThread")).contains(threads)) {
          continue;
        }
        long weight = e.getLong("weight");
        sampledTotal += weight;
        String key = e.getClass("objectClass").getName() + " from " + stack(e.getStackTrace());
        sampledWeight.merge(key, weight, Long::sum);
      } else if (type.equals("jdk.ThreadStart")) {
        RecordedThread t = e.getThread("thread");
        if (t != null) {
          startedDuring.put(t.getJavaThreadId(), true);
        }
      } else if (type.equals("jdk.ThreadAllocationStatistics")) {
        RecordedThread t = e.getThread("thread");
        String thread = threadName(t);
        if (!thread.contains(threads)) {
          continue;
        }
        names.put(t.getJavaThreadId(), thread);
        long bytes = e.getLong("allocated");
        long[] range = allocated.computeIfAbsent(t.getJavaThreadId(), k -> new long[] {Long.MAX_VALUE, Long.MIN_VALUE});
        range[0] = Math.min(range[0], bytes);
        range[1] = Math.max(range[1], bytes);
      }
    }
    for (Map.Entry<String, Map<String, Integer>> kind : stacks.entrySet()) {
      int n = samples.get(kind.getKey());
      System.out.printf(Locale.ROOT, "%s samples of threads *%s*: %d%n", kind.getKey(), threads, n);
      List<Map.Entry<String, Integer>> sorted = new ArrayList<>(kind.getValue().entrySet());
      sorted.sort(Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder()));
      for (Map.Entry<String, Integer> s : sorted.subList(0, Math.min(top, sorted.size()))) {
        System.out.printf(Locale.ROOT, "  %5.1f%%  %s%n", 100.0 * s.getValue() / n, s.getKey());
      }
    }
    long total = 0;
    for (Map.Entry<Long, long[]> t : allocated.entrySet()) {
      boolean started = startedDuring.containsKey(t.getKey());
      long bytes = t.getValue()[1] - (started ? 0 : t.getValue()[0]);
      total += bytes;
      System.out.printf(Locale.ROOT, "allocated by %s (thread %d%s): %d bytes%n", names.get(t.getKey()), t.getKey(),
          started ? ", started during the recording" : "", bytes);
    }
    if (requests > 0) {
      System.out.printf(Locale.ROOT, "allocated per request: %.1f bytes (%d bytes / %d requests)%n",
          (double) total / requests, total, requests);
    }
    if (sampledTotal > 0) {
      System.out.printf(Locale.ROOT, "sampled allocation (estimate): %d bytes%s%n", sampledTotal,
          requests > 0 ? String.format(Locale.ROOT, ", %.1f bytes per request", (double) sampledTotal / requests) : "");
      List<Map.Entry<String, Long>> sorted = new ArrayList<>(sampledWeight.entrySet());
      sorted.sort(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()));
      for (Map.Entry<String, Long> s : sorted.subList(0, Math.min(top, sorted.size()))) {
        System.out.printf(Locale.ROOT, "  %5.1f%%  %s%n", 100.0 * s.getValue() / sampledTotal, s.getKey());
      }
    }
    return 0;
  }

  private static String threadName(RecordedThread t) {
    if (t == null) {
      return "";
    }
    String name = t.getJavaName();
    return name != null ? name : t.getOSName();
  }

  private String stack(RecordedStackTrace trace) {
    if (trace == null) {
      return "(no stack)";
    }
    StringBuilder b = new StringBuilder();
    List<RecordedFrame> frames = trace.getFrames();
    for (int i = 0; i < Math.min(depth, frames.size()); i++) {
      if (i > 0) {
        b.append(" < ");
      }
      RecordedFrame f = frames.get(i);
      String type = f.getMethod().getType().getName();
      b.append(type.substring(type.lastIndexOf('.') + 1)).append('.').append(f.getMethod().getName());
    }
    return b.toString();
  }
}
