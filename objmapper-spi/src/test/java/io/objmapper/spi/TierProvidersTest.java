package io.objmapper.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.objmapper.spi.contract.InMemoryRemoteTier;
import io.objmapper.spi.contract.InMemoryRemoteTierProvider;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.MessageFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.ResourceBundle;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Discovery of tier providers. This module's test {@code META-INF/services} lists two broken
 * providers ahead of {@link InMemoryRemoteTierProvider}.
 */
class TierProvidersTest {
  private final CapturingLogger log = new CapturingLogger();

  @Test
  void brokenProvidersDoNotHideTheGoodOneListedAfterThem() {
    TierProviders providers = TierProviders.load(getClass().getClassLoader(), log);

    assertThat(providers.types()).contains(InMemoryRemoteTierProvider.TYPE).doesNotContain("broken");
    assertThat(providers.get(InMemoryRemoteTierProvider.TYPE)).isInstanceOf(InMemoryRemoteTierProvider.class);
  }

  @Test
  void eachBrokenProviderIsLoggedAsAWarning() {
    TierProviders.load(getClass().getClassLoader(), log);

    assertThat(warnings())
        .anySatisfy(w -> assertThat(w).contains(BrokenTierProvider.class.getName()))
        .anySatisfy(w -> assertThat(w).contains(NotATierProvider.class.getName()));
  }

  @Test
  void installedProvidersAreLoadedOnce() {
    TierProviders first = TierProviders.installed();

    assertThat(TierProviders.installed()).isSameAs(first);
    assertThat(first.types()).contains(InMemoryRemoteTierProvider.TYPE);
  }

  @Test
  void anUnknownTypeIsRejectedWithTheKnownTypes() {
    TierProviders providers = TierProviders.installed();

    assertThatThrownBy(() -> providers.get("s3"))
        .isInstanceOfSatisfying(UnknownTierTypeException.class, e -> {
          assertThat(e.type()).isEqualTo("s3");
          assertThat(e.knownTypes()).contains(InMemoryRemoteTierProvider.TYPE).isSorted();
        })
        .hasMessageContaining("\"s3\"")
        .hasMessageContaining(InMemoryRemoteTierProvider.TYPE);
    assertThat(providers.find("s3")).isEmpty();
  }

  @Test
  void noProvidersAtAllIsSaidPlainly() {
    assertThatThrownBy(() -> TierProviders.of().get("fs"))
        .isInstanceOf(UnknownTierTypeException.class)
        .hasMessageContaining("no TierProvider is installed");
  }

  @Test
  void lookupIgnoresCase() {
    assertThat(TierProviders.installed().find("TEST-Remote")).isPresent();
  }

  @Test
  void openCreatesTheTierWithTheProviderOfItsType() throws IOException {
    TierConfig config = TierConfig.builder().type(InMemoryRemoteTierProvider.TYPE).build();

    try (Tier tier = TierProviders.installed().open(config)) {
      assertThat(tier).isInstanceOf(InMemoryRemoteTier.class);
      assertThat(tier.config()).isEqualTo(config);
    }
  }

  @Test
  void aliasesAreFoundLikeTypes() {
    TierProvider aliased = new AliasedProvider("disk", Set.of("nvme", "hdd"));

    TierProviders providers = TierProviders.of(aliased, new InMemoryRemoteTierProvider());

    assertThat(providers.types()).containsExactly("disk", "hdd", "nvme", InMemoryRemoteTierProvider.TYPE);
    assertThat(providers.get("nvme")).isSameAs(aliased);
    assertThat(providers.providers()).hasSize(2);
  }

  @Test
  void assemblingTwoProvidersOfOneTypeFails() {
    assertThatThrownBy(() -> TierProviders.of(new AliasedProvider("disk", Set.of()),
            new AliasedProvider("other", Set.of("disk"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("\"disk\" is claimed by both");
  }

  @Test
  void assemblingAProviderWithAMalformedTypeFails() {
    assertThatThrownBy(() -> TierProviders.of(new MalformedTypeTierProvider()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("malformed type \"Not A Type\"");
  }

  @Test
  void discoverySkipsAMalformedTypeAndKeepsTheFirstProviderOfATakenType(@TempDir Path dir)
      throws IOException {
    Path services = Files.createDirectories(dir.resolve("META-INF/services"));
    Files.writeString(services.resolve(TierProvider.class.getName()),
        MalformedTypeTierProvider.class.getName() + "\n" + DuplicateTypeTierProvider.class.getName() + "\n");

    URL[] extra = {dir.toUri().toURL()};
    try (URLClassLoader loader = new URLClassLoader(extra, getClass().getClassLoader())) {
      TierProviders providers = TierProviders.load(loader, log);

      assertThat(providers.get(InMemoryRemoteTierProvider.TYPE))
          .isInstanceOf(InMemoryRemoteTierProvider.class);
      assertThat(providers.providers()).noneMatch(p -> p instanceof DuplicateTypeTierProvider
          || p instanceof MalformedTypeTierProvider);
    }
    assertThat(warnings())
        .anySatisfy(w -> assertThat(w).contains("malformed type \"Not A Type\""))
        .anySatisfy(w -> assertThat(w).contains(DuplicateTypeTierProvider.class.getName()));
  }

  private List<String> warnings() {
    return log.warnings();
  }

  /** Keeps the messages logged at WARNING or above, with their exceptions. */
  private static final class CapturingLogger implements System.Logger {
    private final List<String> warnings = new ArrayList<>();

    synchronized List<String> warnings() {
      return List.copyOf(warnings);
    }

    @Override
    public String getName() {
      return "capture";
    }

    @Override
    public boolean isLoggable(Level level) {
      return true;
    }

    @Override
    public synchronized void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
      if (level.getSeverity() >= Level.WARNING.getSeverity()) {
        warnings.add(msg + (thrown == null ? "" : " / " + thrown));
      }
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String format, Object... params) {
      log(level, bundle, params == null ? format : MessageFormat.format(format, params), (Throwable) null);
    }
  }

  private static final class AliasedProvider implements TierProvider {
    private final String type;
    private final Set<String> aliases;

    AliasedProvider(String type, Set<String> aliases) {
      this.type = type;
      this.aliases = aliases;
    }

    @Override
    public String type() {
      return type;
    }

    @Override
    public Set<String> aliases() {
      return aliases;
    }

    @Override
    public Tier create(TierConfig config) {
      return new InMemoryRemoteTier(config);
    }
  }
}
