package io.objmapper;

/**
 * Where an object is served from and why, as the lifecycle policy sees it now.
 *
 * @param name the object
 * @param tier the tier that serves it
 * @param tierId that tier's position in the configuration (the BACKEND id on the wire)
 * @param homeTier the persistent tier holding the copy that survives a restart when
 *     {@code tier} holds a cached copy on a volatile tier; otherwise {@code tier}
 * @param score hotness in [0, 1) ({@link LifecyclePolicy})
 * @param heat accesses weighted by age, the value behind the score
 * @param accesses accesses counted since the object was last indexed in memory
 * @param reason what the policy makes of it, e.g. {@code "hot (0.91 > 0.70), on the fastest tier it may use"}
 */
public record Placement(String name, String tier, int tierId, String homeTier, double score, double heat,
    long accesses, String reason) {}
