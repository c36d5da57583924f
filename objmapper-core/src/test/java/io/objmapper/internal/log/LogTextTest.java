package io.objmapper.internal.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.FileSystemException;
import org.junit.jupiter.api.Test;

class LogTextTest {
  @Test
  void shortNamesAreLoggedWhole() {
    String name = "/photos/2024/cat.jpg";
    assertThat(LogText.name(name)).isSameAs(name);
    assertThat(LogText.name(null)).isEqualTo("null");
  }

  @Test
  void longNamesKeepTheirStartAndEndAndSayHowLongTheyWere() {
    String name = "/a/" + "x".repeat(4_000) + "/end.jpg";
    String cut = LogText.name(name);
    assertThat(cut).hasSizeLessThanOrEqualTo(LogText.MAX_NAME_CHARS).startsWith("/a/xxx").endsWith("/end.jpg")
        .contains("[" + name.length() + " chars]");
  }

  @Test
  void errorsCarryingAPathAreCut() {
    String path = "/data/" + "y".repeat(300);
    String text = LogText.error(new FileSystemException(path, null, "File name too long"));
    assertThat(text).hasSizeLessThanOrEqualTo(LogText.MAX_ERROR_CHARS).startsWith("java.nio.file.FileSystemException: /data/yyy")
        .endsWith("File name too long");
  }

  @Test
  void aSuppressedCountIsSaidOnlyWhenThereIsOne() {
    assertThat(LogText.suppressed(0)).isEmpty();
    assertThat(LogText.suppressed(12)).isEqualTo(" (12 similar suppressed)");
  }
}
