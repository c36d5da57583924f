package io.objmapper.spi;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;

/**
 * The {@link TierProvider}s available, by type, and the way to open a tier from its config.
 *
 * <pre>{@code
 * try (Tier tier = TierProviders.installed().open(config)) {
 *   ...
 * }
 * }</pre>
 *
 * <p>{@link #installed()} loads the providers once with {@link ServiceLoader}. A provider that
 * fails to load (a {@link ServiceConfigurationError}: a missing class, a constructor that
 * throws), that has a malformed type, or whose type an earlier provider already claimed, is
 * logged through {@link System.Logger} at {@code WARNING} and skipped; the others stay
 * usable. Instances are immutable and safe to share.
 */
public final class TierProviders {
  private static final System.Logger LOG = System.getLogger(TierProviders.class.getName());

  /** Stops a loader that keeps failing without advancing from looping forever. */
  private static final int MAX_LOAD_ERRORS = 100;

  private final Map<String, TierProvider> byType;
  private final List<TierProvider> providers;

  private TierProviders(Map<String, TierProvider> byType, List<TierProvider> providers) {
    this.byType = Collections.unmodifiableMap(byType);
    this.providers = List.copyOf(providers);
  }

  /**
   * The providers found by {@link ServiceLoader} with the class loader of this class, loaded
   * on first use and the same instance afterwards.
   */
  public static TierProviders installed() {
    return Installed.INSTANCE;
  }

  /** The providers {@link ServiceLoader} finds with {@code loader}, loaded afresh. */
  public static TierProviders load(ClassLoader loader) {
    return load(loader, LOG);
  }

  /** As {@link #load(ClassLoader)}, reporting skipped providers to {@code log}. */
  static TierProviders load(ClassLoader loader, System.Logger log) {
    return fromServiceLoader(ServiceLoader.load(TierProvider.class, loader), log);
  }

  /**
   * Exactly {@code providers}, in that order, for callers that assemble their own set.
   *
   * @throws IllegalArgumentException if a type is malformed or claimed twice
   */
  public static TierProviders of(TierProvider... providers) {
    Map<String, TierProvider> byType = new LinkedHashMap<>();
    for (TierProvider provider : providers) {
      Objects.requireNonNull(provider, "providers holds null");
      for (String type : typesOf(provider)) {
        TierProvider earlier = byType.putIfAbsent(type, provider);
        if (earlier != null) {
          throw new IllegalArgumentException("type \"" + type + "\" is claimed by both "
              + earlier.getClass().getName() + " and " + provider.getClass().getName());
        }
      }
    }
    return new TierProviders(byType, List.of(providers));
  }

  /** Every type known, aliases included, sorted. */
  public Set<String> types() {
    return Collections.unmodifiableSet(new TreeSet<>(byType.keySet()));
  }

  /** The providers, in the order they were found; each appears once. */
  public List<TierProvider> providers() {
    return providers;
  }

  /** The provider for {@code type} (case is ignored), if there is one. */
  public Optional<TierProvider> find(String type) {
    return type == null ? Optional.empty() : Optional.ofNullable(byType.get(type.toLowerCase(Locale.ROOT)));
  }

  /**
   * The provider for {@code type} (case is ignored).
   *
   * @throws UnknownTierTypeException listing the known types if there is none
   */
  public TierProvider get(String type) {
    return find(type).orElseThrow(() -> new UnknownTierTypeException(type, List.copyOf(types())));
  }

  /**
   * Opens the tier {@code config} describes with the provider for its type.
   *
   * @throws UnknownTierTypeException listing the known types if no provider handles the type
   * @throws IOException as {@link TierProvider#create} throws it
   */
  public Tier open(TierConfig config) throws IOException {
    return get(config.type()).create(config);
  }

  @Override
  public String toString() {
    return "TierProviders" + types();
  }

  private static TierProviders fromServiceLoader(ServiceLoader<TierProvider> loader, System.Logger log) {
    Map<String, TierProvider> byType = new LinkedHashMap<>();
    List<TierProvider> providers = new ArrayList<>();
    Iterator<TierProvider> it = loader.iterator();
    int errors = 0;
    while (true) {
      TierProvider provider;
      try {
        if (!it.hasNext()) {
          break;
        }
        provider = it.next();
      } catch (ServiceConfigurationError e) {
        log.log(Level.WARNING, "skipping a tier provider that failed to load: " + e.getMessage(), e);
        if (++errors >= MAX_LOAD_ERRORS) {
          log.log(Level.WARNING, "giving up loading tier providers after " + errors + " errors");
          break;
        }
        continue;
      }
      Set<String> types;
      try {
        types = typesOf(provider);
      } catch (RuntimeException e) {
        log.log(Level.WARNING, "skipping tier provider " + provider.getClass().getName() + ": "
            + e.getMessage(), e);
        continue;
      }
      boolean added = false;
      for (String type : types) {
        TierProvider earlier = byType.putIfAbsent(type, provider);
        if (earlier != null) {
          log.log(Level.WARNING, "tier type \"" + type + "\" of " + provider.getClass().getName()
              + " is already provided by " + earlier.getClass().getName() + ", which is kept");
        } else {
          added = true;
        }
      }
      if (added) {
        providers.add(provider);
        log.log(Level.DEBUG, () -> "tier provider " + provider.getClass().getName() + " for " + types);
      }
    }
    return new TierProviders(byType, providers);
  }

  /** The provider's type and aliases, checked. */
  private static Set<String> typesOf(TierProvider provider) {
    Set<String> types = new LinkedHashSet<>();
    types.add(checkType(provider.type(), provider));
    Set<String> aliases = provider.aliases();
    if (aliases == null) {
      throw new IllegalArgumentException(provider.getClass().getName() + " returns null aliases");
    }
    for (String alias : aliases) {
      types.add(checkType(alias, provider));
    }
    return types;
  }

  private static String checkType(String type, TierProvider provider) {
    if (type == null || !TierConfig.isTypeName(type) || !type.equals(type.toLowerCase(Locale.ROOT))) {
      throw new IllegalArgumentException(provider.getClass().getName() + " has a malformed type "
          + (type == null ? "null" : "\"" + type + "\""));
    }
    return type;
  }

  private static final class Installed {
    static final TierProviders INSTANCE = load(TierProviders.class.getClassLoader(), LOG);
  }
}
