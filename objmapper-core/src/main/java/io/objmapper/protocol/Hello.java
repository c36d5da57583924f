package io.objmapper.protocol;

/**
 * HELLO: what a V2 client offers.
 *
 * @param capabilities {@link Capabilities} bits (u16)
 * @param maxPipeline the client's deepest pipeline (u16, 0 = unlimited)
 */
public record Hello(int capabilities, int maxPipeline) {
  public Hello {
    if ((capabilities & ~0xFFFF) != 0) {
      throw new IllegalArgumentException("capabilities not a u16: " + capabilities);
    }
    if (maxPipeline < 0 || maxPipeline > 0xFFFF) {
      throw new IllegalArgumentException("maxPipeline not a u16: " + maxPipeline);
    }
  }
}
