/**
 * The {@code s3} tier: objects in a bucket of any S3-compatible service (AWS S3, MinIO, Ceph
 * RGW, ...), reached with the AWS SDK for Java v2. A remote tier: the engine stages its
 * objects onto a local tier before handing them out.
 *
 * <p>{@link io.objmapper.internal.tier.s3.S3TierProvider} is registered in {@code
 * META-INF/services} like the built-in tiers, but the SDK is an optional dependency: the
 * provider loads without it and only {@code create} says the SDK is missing, so a classpath
 * without the SDK loses this tier type and nothing else. {@link
 * io.objmapper.internal.tier.s3.S3Options} reads the tier's options; {@link
 * io.objmapper.internal.tier.s3.S3Tier} maps names to keys and the {@link io.objmapper.spi.Tier}
 * operations to HEAD, GET, PUT (multipart for large objects), DELETE and ListObjectsV2. Not
 * API.
 */
package io.objmapper.internal.tier.s3;
