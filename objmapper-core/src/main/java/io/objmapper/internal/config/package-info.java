/**
 * The configuration file: an immutable, checked model and its loader.
 *
 * <p>{@link io.objmapper.internal.config.ObjMapperConfig#load(java.nio.file.Path)} reads the
 * JSON file described in the seed document ("Configuration Example"; JSON with {@code /* *}
 * {@code /} comments) into records, one per section: {@code thread_pool}
 * ({@link io.objmapper.internal.config.ThreadPoolConfig}), {@code protocol}
 * ({@link io.objmapper.internal.config.ProtocolConfig}), {@code index}
 * ({@link io.objmapper.internal.config.IndexConfig}), {@code backends}
 * ({@link io.objmapper.internal.config.BackendConfig}), {@code lifecycle}
 * ({@link io.objmapper.internal.config.LifecycleConfig}) and {@code server}
 * ({@link io.objmapper.internal.config.ServerConfig}). Every section and key is optional and
 * has a default (the seed's example values, see each record's {@code DEFAULTS}), except that
 * at least one backend is required and a backend needs {@code name}, {@code type},
 * {@code mount_path} and {@code capacity_gb}.
 *
 * <p>Every problem, from a JSON syntax error to two contradicting thresholds, is one
 * {@link io.objmapper.internal.config.ConfigException} naming the JSON path of the key
 * ({@code backends[1].flags[2]}) and its line and column. Records check their own values in
 * their constructors, so a configuration built in code is held to the same rules.
 *
 * <p>This package is internal: not API, free to change.
 */
package io.objmapper.internal.config;
