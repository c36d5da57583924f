package io.objmapper.spi;

import java.io.IOException;
import java.util.Set;

/**
 * Creates {@link Tier}s of one type. A provider is a public class with a public no-argument
 * constructor, found by {@link java.util.ServiceLoader} through {@link TierProviders}; a
 * plugin declares it in {@code META-INF/services/io.objmapper.spi.TierProvider} and, if it is
 * a module, in its {@code module-info.java}:
 *
 * <pre>{@code
 * module com.example.s3tier {
 *   requires io.objmapper.spi;
 *   provides io.objmapper.spi.TierProvider with com.example.s3tier.S3TierProvider;
 * }
 * }</pre>
 *
 * <p>A provider's constructor should do nothing that can fail: a provider that fails to load
 * is skipped. Types are lowercase ASCII letters, digits, {@code '.'}, {@code '_'} and
 * {@code '-'}.
 */
public interface TierProvider {
  /** The type this provider is named by in configuration files ({@code "fs"}, {@code "s3"}). */
  String type();

  /**
   * Further types this provider answers to ({@code "nvme"} for a file system provider). The
   * config passed to {@link #create} keeps the type it was written with. Empty by default.
   */
  default Set<String> aliases() {
    return Set.of();
  }

  /**
   * Opens the tier {@code config} describes. The returned tier's {@link Tier#config()} may
   * differ from {@code config} by defaults the provider fills in (flags, a root it chose).
   *
   * @throws IllegalArgumentException if {@code config} is not one this provider can serve
   *     (another type, a missing root, an unknown option), naming the problem
   * @throws IOException if the tier's storage cannot be opened
   */
  Tier create(TierConfig config) throws IOException;
}
