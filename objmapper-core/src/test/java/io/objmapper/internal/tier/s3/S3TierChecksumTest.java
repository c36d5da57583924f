package io.objmapper.internal.tier.s3;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The CRC32C a PUT of bytes in memory sends as its {@code x-amz-checksum-crc32c} header: base64
 * of the four bytes, big-endian, as S3 computes it (the service rejects a PUT whose bytes do
 * not match).
 */
class S3TierChecksumTest {
  @Test
  void theStandardCheckValueAndNoBytes() {
    // CRC-32C of "123456789" is 0xE3069283 (the check value of the Castagnoli polynomial).
    assertThat(S3Tier.crc32c(ByteBuffer.wrap("123456789".getBytes(StandardCharsets.US_ASCII)))).isEqualTo("4waSgw==");
    assertThat(S3Tier.crc32c(ByteBuffer.allocate(0))).isEqualTo("AAAAAA==");
  }

  @Test
  void onlyTheBufferRemainingIsSummed() {
    ByteBuffer b = ByteBuffer.wrap("xx123456789yy".getBytes(StandardCharsets.US_ASCII), 2, 9);
    assertThat(S3Tier.crc32c(b)).isEqualTo("4waSgw==");
  }
}
