package io.objmapper.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.objmapper.ObjMapper;
import io.objmapper.ObjMapperStats;
import io.objmapper.spi.TierConfig;
import java.util.List;
import java.util.Objects;
import java.util.function.ToDoubleFunction;

/**
 * Binds a store's counters to a Micrometer registry. Every meter reads
 * {@link ObjMapper#stats()} when the registry asks; nothing is counted twice and nothing
 * runs on the request path.
 *
 * <pre>{@code
 * new ObjMapperMetrics(store).bindTo(registry);
 * }</pre>
 *
 * <table>
 *   <caption>Meters</caption>
 *   <tr><th>name</th><th>kind</th><th>what</th></tr>
 *   <tr><td>objmapper.lookups</td><td>counter</td><td>object lookups (opens, stats, server requests)</td></tr>
 *   <tr><td>objmapper.lookups.notfound</td><td>counter</td><td>lookups that found no object</td></tr>
 *   <tr><td>objmapper.index.hits</td><td>counter</td><td>lookups answered by the global index</td></tr>
 *   <tr><td>objmapper.index.misses</td><td>counter</td><td>lookups that went on to the tier indexes</td></tr>
 *   <tr><td>objmapper.fdcache.hits</td><td>counter</td><td>opens served by a cached descriptor</td></tr>
 *   <tr><td>objmapper.fdcache.misses</td><td>counter</td><td>opens that had to open the file</td></tr>
 *   <tr><td>objmapper.fdcache.opens</td><td>counter</td><td>files opened</td></tr>
 *   <tr><td>objmapper.fdcache.evictions</td><td>counter</td><td>descriptors evicted from the cache</td></tr>
 *   <tr><td>objmapper.fdcache.stale</td><td>counter</td><td>cached descriptors found changed behind the store</td></tr>
 *   <tr><td>objmapper.fdcache.open</td><td>gauge</td><td>descriptors the cache holds now</td></tr>
 *   <tr><td>objmapper.tier.objects</td><td>gauge, tag {@code tier}</td><td>objects on the tier</td></tr>
 *   <tr><td>objmapper.tier.bytes</td><td>gauge, tag {@code tier}</td><td>bytes they take</td></tr>
 *   <tr><td>objmapper.tier.capacity</td><td>gauge, tag {@code tier}</td><td>the tier's configured capacity in
 *       bytes (only tiers with a capacity)</td></tr>
 *   <tr><td>objmapper.lifecycle.rounds</td><td>counter</td><td>lifecycle rounds run</td></tr>
 *   <tr><td>objmapper.lifecycle.promotions</td><td>counter</td><td>objects moved or copied to a faster tier</td></tr>
 *   <tr><td>objmapper.lifecycle.demotions</td><td>counter</td><td>cold objects moved down, or cached copies
 *       dropped</td></tr>
 *   <tr><td>objmapper.lifecycle.evictions</td><td>counter</td><td>objects sent down (or deleted) from a full
 *       tier</td></tr>
 *   <tr><td>objmapper.lifecycle.manual.moves</td><td>counter</td><td>moves asked through {@link ObjMapper#move}</td></tr>
 *   <tr><td>objmapper.lifecycle.moved</td><td>counter, base unit bytes</td><td>bytes copied between tiers</td></tr>
 *   <tr><td>objmapper.lifecycle.failures</td><td>counter</td><td>moves that failed (the object stayed)</td></tr>
 *   <tr><td>objmapper.lifecycle.busy.rounds</td><td>counter</td><td>rounds that moved fewer objects because of
 *       the request load</td></tr>
 * </table>
 *
 * <p>After the store closes, the meters read {@code NaN}.
 */
public final class ObjMapperMetrics implements MeterBinder {
  private final ObjMapper store;
  private final Tags tags;

  /** Meters for {@code store}, with no extra tags. */
  public ObjMapperMetrics(ObjMapper store) {
    this(store, Tags.empty());
  }

  /** Meters for {@code store}, each carrying {@code tags} (to tell several stores apart). */
  public ObjMapperMetrics(ObjMapper store, Iterable<Tag> tags) {
    this.store = Objects.requireNonNull(store, "store");
    this.tags = Tags.of(Objects.requireNonNull(tags, "tags"));
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    counter(registry, "objmapper.lookups", "Object lookups (opens, stats, server requests)", ObjMapperStats::lookups);
    counter(registry, "objmapper.lookups.notfound", "Lookups that found no object", ObjMapperStats::notFound);
    counter(registry, "objmapper.index.hits", "Lookups answered by the in-heap global index",
        ObjMapperStats::indexHits);
    counter(registry, "objmapper.index.misses", "Lookups that went on to the per-tier indexes",
        ObjMapperStats::indexMisses);
    counter(registry, "objmapper.fdcache.hits", "Opens served by a cached descriptor", ObjMapperStats::fdCacheHits);
    counter(registry, "objmapper.fdcache.misses", "Opens that had to open the file", ObjMapperStats::fdCacheMisses);
    counter(registry, "objmapper.fdcache.opens", "Files opened", ObjMapperStats::opens);
    counter(registry, "objmapper.fdcache.evictions", "Descriptors evicted from the cache", ObjMapperStats::evictions);
    counter(registry, "objmapper.fdcache.stale", "Cached descriptors found replaced or deleted behind the store",
        ObjMapperStats::staleDescriptors);
    counter(registry, "objmapper.lifecycle.rounds", "Lifecycle rounds run", s -> s.lifecycle().rounds());
    counter(registry, "objmapper.lifecycle.promotions", "Objects moved or copied to a faster tier",
        s -> s.lifecycle().promotions());
    counter(registry, "objmapper.lifecycle.demotions", "Cold objects moved to a slower tier, or cached copies dropped",
        s -> s.lifecycle().demotions());
    counter(registry, "objmapper.lifecycle.evictions",
        "Objects sent down (or deleted) to bring a full tier back to its target", s -> s.lifecycle().evictions());
    counter(registry, "objmapper.lifecycle.manual.moves", "Moves asked through ObjMapper.move",
        s -> s.lifecycle().manualMoves());
    FunctionCounter.builder("objmapper.lifecycle.moved", store, read(s -> s.lifecycle().bytesMoved()))
        .description("Bytes copied between tiers")
        .baseUnit(BaseUnits.BYTES)
        .tags(tags)
        .register(registry);
    counter(registry, "objmapper.lifecycle.failures", "Moves that failed (the object stayed where it was)",
        s -> s.lifecycle().failures());
    counter(registry, "objmapper.lifecycle.busy.rounds", "Rounds that moved fewer objects because of the request load",
        s -> s.lifecycle().busyRounds());
    Gauge.builder("objmapper.fdcache.open", store, read(ObjMapperStats::openDescriptors))
        .description("Descriptors the cache holds now")
        .tags(tags)
        .register(registry);
    List<TierConfig> tiers = store.tiers();
    for (int i = 0; i < tiers.size(); i++) {
      int id = i;
      Tags tierTags = tags.and("tier", tiers.get(i).name());
      Gauge.builder("objmapper.tier.objects", store, read(s -> s.tiers().get(id).objects()))
          .description("Objects on the tier")
          .baseUnit(BaseUnits.OBJECTS)
          .tags(tierTags)
          .register(registry);
      Gauge.builder("objmapper.tier.bytes", store, read(s -> s.tiers().get(id).bytes()))
          .description("Bytes the tier's objects take")
          .baseUnit(BaseUnits.BYTES)
          .tags(tierTags)
          .register(registry);
      if (tiers.get(i).capacityBytes() != TierConfig.UNLIMITED) {
        Gauge.builder("objmapper.tier.capacity", store, read(s -> s.tiers().get(id).capacityBytes()))
            .description("The tier's configured capacity")
            .baseUnit(BaseUnits.BYTES)
            .tags(tierTags)
            .register(registry);
      }
    }
  }

  private void counter(MeterRegistry registry, String name, String description, ToDoubleFunction<ObjMapperStats> f) {
    FunctionCounter.builder(name, store, read(f))
        .description(description)
        .tags(tags)
        .register(registry);
  }

  /** Reads one value from a fresh snapshot; {@code NaN} once the store is closed. */
  private static ToDoubleFunction<ObjMapper> read(ToDoubleFunction<ObjMapperStats> f) {
    return s -> {
      try {
        return f.applyAsDouble(s.stats());
      } catch (IllegalStateException closed) {
        return Double.NaN;
      }
    };
  }
}
