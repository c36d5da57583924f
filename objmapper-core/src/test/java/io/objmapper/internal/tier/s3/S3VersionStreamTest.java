package io.objmapper.internal.tier.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.objmapper.spi.ObjectStat;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

/** What a GET's body tells of the version it reads, and how the SDK's failures while reading it surface. */
class S3VersionStreamTest {
  private static final Instant TIME = Instant.parse("2026-12-03T10:00:00Z");

  private static S3Tier.VersionStream stream(GetObjectResponse r, InputStream body) {
    return new S3Tier.VersionStream(new ResponseInputStream<>(r, AbortableInputStream.create(body)), "p/a.bin");
  }

  @Test
  void anAnswerWithALengthTellsItsVersionAtOnce() throws IOException {
    GetObjectResponse r = GetObjectResponse.builder().contentLength(3L).lastModified(TIME).eTag("\"e1\"").build();
    try (S3Tier.VersionStream in = stream(r, new ByteArrayInputStream(new byte[] {1, 2, 3}))) {
      assertThat(in.get()).isEqualTo(new ObjectStat(3, TIME.toEpochMilli(), "e1"));
    }
  }

  @Test
  void anAnswerWithoutALengthTellsItsVersionOnlyOnceReadToTheEnd() throws IOException {
    GetObjectResponse r = GetObjectResponse.builder().lastModified(TIME).eTag("\"e2\"").build();
    try (S3Tier.VersionStream in = stream(r, new ByteArrayInputStream(new byte[5]))) {
      assertThat(in.get()).as("nothing said before the end").isNull();
      assertThat(in.read()).isZero();
      assertThat(in.read(new byte[3], 0, 3)).isEqualTo(3);
      assertThat(in.get()).isNull();
      assertThat(in.read(new byte[8], 0, 8)).isEqualTo(1);
      assertThat(in.read()).isEqualTo(-1);
      assertThat(in.get()).isEqualTo(new ObjectStat(5, TIME.toEpochMilli(), "e2"));
    }
  }

  @Test
  void theSdksFailureWhileReadingIsAnIoException() {
    InputStream failing = new InputStream() {
      @Override
      public int read() {
        throw SdkClientException.create("Data read has a different checksum than expected");
      }

      @Override
      public int read(byte[] b, int off, int len) {
        return read();
      }
    };
    GetObjectResponse r = GetObjectResponse.builder().contentLength(10L).lastModified(TIME).eTag("\"e3\"").build();
    S3Tier.VersionStream in = stream(r, failing);
    assertThatThrownBy(() -> in.read(new byte[4], 0, 4)).isInstanceOf(IOException.class)
        .hasMessageContaining("GET p/a.bin").hasMessageContaining("different checksum");
    assertThatThrownBy(in::read).isInstanceOf(IOException.class);
  }
}
