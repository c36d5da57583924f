/**
 * The configuration file: a checked model of its sections and the loader, feeding the same
 * public builders a Java user calls (as {@code CaffeineSpec} feeds {@code Caffeine}).
 *
 * <p>{@link io.objmapper.internal.config.ObjMapperConfig#load(java.nio.file.Path)} reads the
 * JSON file described in the seed document ("Configuration Example"; JSON with {@code /* *}
 * {@code /} comments) into package-private records, one per section ({@code thread_pool},
 * {@code protocol}, {@code index}, {@code backends}, {@code lifecycle}, {@code server}), which
 * check their values and name the offending key. The checked configuration then goes through
 * the public builders, in one place each: every backend through
 * {@link io.objmapper.spi.TierConfig#builder()} ({@code BackendConfig.tierConfig}), the
 * {@code index} and {@code lifecycle} sections through {@link io.objmapper.ObjMapper.Builder}'s
 * setters, the {@code thread_pool}, {@code protocol} and {@code server} sections as one
 * {@code ServerSettings} that the server gives to {@code ObjectServer.Builder}'s setters (the
 * server reads the configuration; nothing here uses the server, whose defaults are
 * {@code ServerDefaults}). Flags and capabilities are the API's own
 * enums ({@link io.objmapper.spi.TierFlag}, {@link io.objmapper.protocol.Capability}). A key
 * left out of the file gets the builder's default (the records' {@code DEFAULTS} are those
 * values), except that at least one backend is required and a backend needs {@code name},
 * {@code type}, {@code mount_path} and {@code capacity_gb}.
 *
 * <p>Every problem, from a JSON syntax error to two contradicting thresholds, is one
 * {@link io.objmapper.internal.config.ConfigException} naming the JSON path of the key
 * ({@code backends[1].flags[2]}) and its line and column; the API turns it into the public
 * {@link io.objmapper.ConfigurationException}.
 *
 * <p>This package is internal: not API, free to change. Its public types are public only for
 * other packages of this module: {@code ObjMapperConfig} and {@code ConfigException} for
 * {@link io.objmapper.ObjMapper.Builder}, {@code ServerSettings} and {@code ServerDefaults}
 * for the server; no other module uses them.
 */
package io.objmapper.internal.config;
