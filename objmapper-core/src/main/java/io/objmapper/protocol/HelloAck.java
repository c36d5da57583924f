package io.objmapper.protocol;

/**
 * HELLO_ACK: what the server agreed to.
 *
 * @param capabilities client capabilities AND server capabilities
 * @param pipelineDepth min(client, server); the server's when the client said 0
 * @param parallelism how many requests the server works on at once (u8)
 */
public record HelloAck(int capabilities, int pipelineDepth, int parallelism) {
  public HelloAck {
    if ((capabilities & ~0xFFFF) != 0) {
      throw new IllegalArgumentException("capabilities not a u16: " + capabilities);
    }
    if (pipelineDepth < 0 || pipelineDepth > 0xFFFF) {
      throw new IllegalArgumentException("pipelineDepth not a u16: " + pipelineDepth);
    }
    if (parallelism < 0 || parallelism > 0xFF) {
      throw new IllegalArgumentException("parallelism not a u8: " + parallelism);
    }
  }

  /**
   * The server's answer to {@code hello}: capabilities ANDed, pipeline depth the smaller of
   * the two (a client 0 means the server's).
   */
  public static HelloAck negotiate(Hello hello, int serverCapabilities, int serverPipeline, int parallelism) {
    int caps = hello.capabilities() & serverCapabilities;
    int depth = hello.maxPipeline() == 0 ? serverPipeline : Math.min(hello.maxPipeline(), serverPipeline);
    return new HelloAck(caps, depth, Math.min(parallelism, 0xFF));
  }

  public boolean has(int capability) {
    return Capabilities.has(capabilities, capability);
  }
}
