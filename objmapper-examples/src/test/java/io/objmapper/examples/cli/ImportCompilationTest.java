package io.objmapper.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * The import's compiler directive: it holds (C2 excludes every method) from {@code start()}
 * until {@code close()}, and after that the JVM's directives are as before. Isolated: the
 * directive stack is the JVM's, shared with every test running beside this one.
 */
@Isolated
class ImportCompilationTest {
  @Test
  void theDirectiveHoldsWhileTheImportRunsAndGoesWithClose() throws Exception {
    String before = directives();
    assertThat(before).doesNotContain("Exclude:true");

    ImportCompilation c = ImportCompilation.start();
    assertThat(c.added()).isTrue();
    String during = directives();
    assertThat(during).contains("matching: *.*").contains("Exclude:true");

    c.close();
    assertThat(directives()).isEqualTo(before);
    c.close(); // a second close removes nothing more (not someone else's directive)
    assertThat(directives()).isEqualTo(before);
  }

  @Test
  void anImportOverBeforeTheDirectiveIsAddedLeavesNoneBehind() throws Exception {
    String before = directives();

    ImportCompilation c = ImportCompilation.start();
    c.close(); // at once: the directive is either never added or removed again

    assertThat(c.added()).isFalse();
    assertThat(directives()).isEqualTo(before);
  }

  /** What {@code jcmd PID Compiler.directives_print} prints for this JVM. */
  private static String directives() throws Exception {
    return String.valueOf(ManagementFactory.getPlatformMBeanServer().invoke(
        new ObjectName("com.sun.management:type=DiagnosticCommand"), "compilerDirectivesPrint",
        new Object[] {new String[0]}, new String[] {String[].class.getName()}));
  }
}
