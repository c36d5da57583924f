package io.objmapper.internal.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import net.openhft.chronicle.hash.VanillaGlobalMutableState;
import net.openhft.chronicle.values.ValueModel;
import net.openhft.chronicle.values.Values;
import org.junit.jupiter.api.Test;

/**
 * The Chronicle Values class objmapper-core ships pre-generated (so that no map open compiles
 * Java source inside the JVM) is exactly what the Chronicle version in use would generate,
 * and is the one Chronicle Map gets.
 */
class ChronicleGeneratedClassesTest {
  private static final String NATIVE = "VanillaGlobalMutableState$$Native";

  @Test
  void theShippedGlobalStateClassIsWhatChronicleValuesGeneratesNow() throws Exception {
    // Generators.generateNativeClass is what Values runs when the class is missing; it is
    // package-private, so it is reached by reflection (the class path's unnamed module).
    Method generate = Class.forName("net.openhft.chronicle.values.Generators")
        .getDeclaredMethod("generateNativeClass", ValueModel.class, String.class);
    generate.setAccessible(true);
    String generated = (String) generate.invoke(null, ValueModel.acquire(VanillaGlobalMutableState.class), NATIVE);

    Path shipped = Path.of(System.getProperty("basedir", "."), "src", "main", "java", "net", "openhft", "chronicle",
        "hash", NATIVE + ".java");
    String source = Files.readString(shipped, StandardCharsets.UTF_8);
    String code = source.substring(source.indexOf("package "));

    assertThat(code)
        .as("Chronicle Values now generates another %s: replace everything from 'package' on in %s with%n%s",
            NATIVE, shipped, generated)
        .isEqualToNormalizingNewlines(generated);
  }

  @Test
  void chronicleMapGetsTheShippedClassWithoutCompilingOne() {
    Class<?> used = Values.nativeClassFor(VanillaGlobalMutableState.class);

    assertThat(used.getName()).isEqualTo("net.openhft.chronicle.hash." + NATIVE);
    // From objmapper-core's own classes, not from a class javac made in this JVM (whose
    // loader would be Chronicle's compiler's).
    java.security.CodeSource from = used.getProtectionDomain().getCodeSource();
    assertThat(from).as("a class defined at run time has no code source").isNotNull();
    assertThat(from.getLocation().toString()).contains("objmapper-core");
  }
}
