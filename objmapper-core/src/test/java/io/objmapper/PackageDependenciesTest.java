package io.objmapper;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The direction of the dependencies between this module's packages, read from the imports
 * and fully qualified names of {@code src/main/java}: {@code protocol} ← {@code server} /
 * {@code client} ← nothing of the store core; the store core ({@code io.objmapper} and
 * {@code io.objmapper.internal.*}) never uses the server, the client or the wire. A new
 * cycle between packages fails the build.
 */
class PackageDependenciesTest {
  private static final String ROOT = "io.objmapper";
  private static final Pattern PACKAGE = Pattern.compile("^package\\s+([\\w.]+)\\s*;", Pattern.MULTILINE);
  /** A reference to a class of this project: a lower-case package path, then a capitalized name. */
  private static final Pattern REFERENCE = Pattern.compile("\\bio\\.objmapper((?:\\.[a-z][a-z0-9_]*)*)\\.[A-Z]");

  /**
   * The one cycle that stays, and why: the API package's builder opens the store, whose
   * rooms use the {@code internal.*} packages below, and those use the API's own types
   * ({@code config}: the lifecycle policy it builds; {@code index}: StoreInUseException;
   * {@code lifecycle}: the policy, rounds and exceptions; {@code store}: object flags and
   * exceptions; {@code serving}: the store's configuration). Anything added to it, or any
   * other cycle, fails; the descriptor cache, the tiers, the wire, the server and the client
   * are in none.
   */
  private static final Set<String> ALLOWED_CYCLE = Set.of(ROOT, ROOT + ".internal.config",
      ROOT + ".internal.index", ROOT + ".internal.lifecycle", ROOT + ".internal.serving", ROOT + ".internal.store");

  /**
   * The one known edge left out of the layer checks, stated so that nothing else joins it:
   * the configuration file's {@code protocol.capabilities} names wire capabilities, so
   * {@code internal.config} uses {@code protocol} (which uses nothing of the project, so it
   * makes no cycle). The configuration does not use the server: the server reads its
   * settings from the configuration ({@code ServerSettings}).
   */
  private static final Map<String, Set<String>> KNOWN_GLUE_EDGES = Map.of(ROOT + ".internal.config",
      Set.of(ROOT + ".protocol"));

  private static Map<String, Set<String>> graph;

  @BeforeAll
  static void scan() {
    Path sources = Path.of("src", "main", "java");
    assertThat(sources).as("run from the objmapper-core module").isDirectory();
    graph = dependencies(sources);
    KNOWN_GLUE_EDGES.forEach((pkg, deps) -> graph.getOrDefault(pkg, new TreeSet<>()).removeAll(deps));
  }

  @Test
  void theScanFindsThePackagesAndTheirDependencies() {
    assertThat(graph).containsKeys(ROOT, ROOT + ".server", ROOT + ".protocol", ROOT + ".client",
        ROOT + ".internal.fdcache", ROOT + ".internal.lifecycle");
    assertThat(graph.get(ROOT + ".server")).contains(ROOT + ".protocol", ROOT);
  }

  @Test
  void theStoreCoreUsesNeitherServerNorClientNorTheWire() {
    Map<String, Set<String>> offending = new TreeMap<>();
    graph.forEach((pkg, deps) -> {
      if (pkg.equals(ROOT) || pkg.startsWith(ROOT + ".internal.")) {
        for (String d : deps) {
          if (d.equals(ROOT + ".server") || d.equals(ROOT + ".client") || d.equals(ROOT + ".protocol")) {
            offending.computeIfAbsent(pkg, k -> new TreeSet<>()).add(d);
          }
        }
      }
    });
    assertThat(offending).as("store core packages using server, client or protocol").isEmpty();
  }

  @Test
  void theProtocolUsesNoOtherPackageOfTheProject() {
    assertThat(graph.get(ROOT + ".protocol")).isEmpty();
  }

  @Test
  void serverAndClientDoNotUseEachOther() {
    assertThat(graph.get(ROOT + ".server")).doesNotContain(ROOT + ".client");
    assertThat(graph.get(ROOT + ".client")).doesNotContain(ROOT + ".server");
  }

  @Test
  void theDescriptorCacheKnowsNothingAboveIt() {
    assertThat(graph.get(ROOT + ".internal.fdcache")).doesNotContain(ROOT, ROOT + ".server");
  }

  @Test
  void noCycleBetweenPackagesButTheOneAllowed() {
    List<Set<String>> cycles = cycles(graph);
    for (Set<String> cycle : cycles) {
      assertThat(ALLOWED_CYCLE).as("packages in a cycle: %s", cycle).containsAll(cycle);
    }
  }

  @Test
  void theCycleFinderFindsACycle() {
    Map<String, Set<String>> g = Map.of("a", Set.of("b"), "b", Set.of("c"), "c", Set.of("a"), "d", Set.of("a"));
    assertThat(cycles(g)).containsExactly(Set.of("a", "b", "c"));
  }

  /** Each package's dependencies on the project's other packages. */
  static Map<String, Set<String>> dependencies(Path sources) {
    Map<String, Set<String>> g = new TreeMap<>();
    try (Stream<Path> files = Files.walk(sources)) {
      for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java"))::iterator) {
        String code = stripCommentsAndStrings(Files.readString(f));
        Matcher pm = PACKAGE.matcher(code);
        if (!pm.find()) {
          continue;
        }
        String pkg = pm.group(1);
        Set<String> deps = g.computeIfAbsent(pkg, k -> new TreeSet<>());
        Matcher m = REFERENCE.matcher(code.substring(pm.end()));
        while (m.find()) {
          String d = ROOT + m.group(1);
          if (!d.equals(pkg)) {
            deps.add(d);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return g;
  }

  /**
   * Comments, string and character literals, read in one left-to-right pass (so a {@code //}
   * inside a string, as in {@code "s3://"}, starts no comment), each literal read without
   * backtracking (a long one cannot overflow the stack).
   */
  private static final Pattern COMMENT_OR_LITERAL = Pattern.compile(
      "(?s)/\\*.*?\\*/|//[^\\n]*|\"[^\"\\\\\\n]*+(?:\\\\.[^\"\\\\\\n]*+)*+\"|'(?:\\\\.|[^'\\\\])[^']*+'");

  private static String stripCommentsAndStrings(String s) {
    return COMMENT_OR_LITERAL.matcher(s).replaceAll(m -> m.group().startsWith("/") ? " " : "\"\"");
  }

  /** The strongly connected components of more than one package (Tarjan). */
  static List<Set<String>> cycles(Map<String, Set<String>> g) {
    Map<String, Integer> index = new HashMap<>();
    Map<String, Integer> low = new HashMap<>();
    Deque<String> stack = new ArrayDeque<>();
    Set<String> onStack = new TreeSet<>();
    List<Set<String>> out = new ArrayList<>();
    for (String v : new TreeSet<>(g.keySet())) {
      if (!index.containsKey(v)) {
        connect(v, g, index, low, stack, onStack, out);
      }
    }
    return out;
  }

  private static void connect(String v, Map<String, Set<String>> g, Map<String, Integer> index,
      Map<String, Integer> low, Deque<String> stack, Set<String> onStack, List<Set<String>> out) {
    index.put(v, index.size());
    low.put(v, index.get(v));
    stack.push(v);
    onStack.add(v);
    for (String w : g.getOrDefault(v, Set.of())) {
      if (!index.containsKey(w)) {
        connect(w, g, index, low, stack, onStack, out);
        low.put(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.contains(w)) {
        low.put(v, Math.min(low.get(v), index.get(w)));
      }
    }
    if (low.get(v).equals(index.get(v))) {
      Set<String> component = new TreeSet<>();
      String w;
      do {
        w = stack.pop();
        onStack.remove(w);
        component.add(w);
      } while (!w.equals(v));
      if (component.size() > 1) {
        out.add(component);
      }
    }
  }
}
