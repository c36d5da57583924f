package io.objmapper.examples.readme;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * README's Java snippets are the compiled regions of this package's sources: each
 * {@code ```java} block of README.md equals one snippet (its regions, each without its
 * common indentation, joined by a blank line), and each snippet is quoted.
 */
class ReadmeSnippetsTest {
  private static final Path ROOT = Path.of(System.getProperty("objmapper.testdata", "../src-test-data")).getParent();
  private static final Path README = ROOT.resolve("README.md");
  private static final Path SOURCES = Path.of("src/main/java/io/objmapper/examples/readme");
  private static final Pattern JAVA_BLOCK = Pattern.compile("(?m)^```java\\n(.*?)^```$", Pattern.DOTALL);
  private static final Pattern BEGIN = Pattern.compile("^\\s*// readme:begin (\\S+)\\s*$");
  private static final Pattern END = Pattern.compile("^\\s*// readme:end\\s*$");

  /** The snippets of the sources by name, in the order they are first met. */
  static Map<String, String> snippets() throws IOException {
    Map<String, List<String>> parts = new LinkedHashMap<>();
    List<Path> files;
    try (Stream<Path> s = Files.list(SOURCES)) {
      files = s.filter(p -> p.toString().endsWith(".java")).sorted().toList();
    }
    for (Path file : files) {
      String name = null;
      List<String> lines = new ArrayList<>();
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        Matcher b = BEGIN.matcher(line);
        if (name == null && b.matches()) {
          name = b.group(1);
          lines.clear();
        } else if (name != null && END.matcher(line).matches()) {
          parts.computeIfAbsent(name, k -> new ArrayList<>()).add(dedent(lines));
          name = null;
        } else if (name != null) {
          lines.add(line);
        }
      }
      assertThat(name).as("an unclosed readme:begin in %s", file).isNull();
    }
    Map<String, String> out = new LinkedHashMap<>();
    parts.forEach((k, v) -> out.put(k, String.join("\n\n", v)));
    return out;
  }

  private static String dedent(List<String> lines) {
    int indent = lines.stream().filter(l -> !l.isBlank()).mapToInt(l -> l.length() - l.stripLeading().length())
        .min().orElse(0);
    StringBuilder b = new StringBuilder();
    for (String l : lines) {
      b.append(l.isBlank() ? "" : l.substring(indent)).append('\n');
    }
    return b.toString().stripTrailing();
  }

  private static List<String> readmeJavaBlocks() throws IOException {
    Matcher m = JAVA_BLOCK.matcher(Files.readString(README, StandardCharsets.UTF_8));
    List<String> blocks = new ArrayList<>();
    while (m.find()) {
      blocks.add(m.group(1).stripTrailing());
    }
    return blocks;
  }

  @Test
  void everyJavaBlockOfTheReadmeIsACompiledSnippet() throws IOException {
    Map<String, String> snippets = snippets();
    assertThat(snippets).isNotEmpty();
    for (String block : readmeJavaBlocks()) {
      assertThat(snippets.values()).as("README block not found among the snippets of %s:%n%s", SOURCES, block)
          .contains(block);
    }
  }

  @Test
  void everySnippetIsQuotedInTheReadme() throws IOException {
    List<String> blocks = readmeJavaBlocks();
    snippets().forEach((name, text) ->
        assertThat(blocks).as("snippet %s is not in README.md; README should quote:%n%s", name, text).contains(text));
  }

  @Test
  void theReadmeCoordinatesNameTheProjectVersion() throws IOException {
    String version = System.getProperty("objmapper.version");
    assertThat(version).as("system property objmapper.version (set by the pom)").isNotBlank();
    String readme = Files.readString(README, StandardCharsets.UTF_8);
    assertThat(readme).contains("<artifactId>objmapper-core</artifactId>\n  <version>" + version + "</version>")
        .contains("\"io.objmapper:objmapper-core:" + version + "\"");
  }

  @Test
  void theReadmeFlagsAreThoseTheBuildRunsWith() throws IOException {
    String flags = System.getProperty("objmapper.jvmflags");
    assertThat(flags).as("system property objmapper.jvmflags (set by the pom)").isNotBlank();
    String readme = Files.readString(README, StandardCharsets.UTF_8);
    assertThat(readme).contains("java " + flags + " -cp").contains("<argLine>" + flags + "</argLine>");
    for (String flag : flags.split(" ")) {
      assertThat(readme).contains("\"" + flag + "\""); // the Gradle list
    }
  }
}
