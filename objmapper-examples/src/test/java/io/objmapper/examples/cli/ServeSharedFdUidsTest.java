package io.objmapper.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code serve --shared-fd-uids}: a bad uid is a usage error, found before any store is opened. */
class ServeSharedFdUidsTest {
  @TempDir Path dir;

  private LauncherStoreCommandsTest.Result serveWith(String uids) {
    return LauncherStoreCommandsTest.launch("serve", "--socket", dir.resolve("s.sock").toString(),
        "--data", dir.resolve("data").toString(), "--shared-fd-uids", uids);
  }

  @Test
  void aUidThatIsNotANumberIsAUsageError() {
    LauncherStoreCommandsTest.Result r = serveWith("1000,alice");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--shared-fd-uids: not a uid: alice");
    assertThat(dir.resolve("data")).doesNotExist();
  }

  @Test
  void aNegativeUidIsAUsageError() {
    LauncherStoreCommandsTest.Result r = serveWith("-1");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--shared-fd-uids: not a uid: -1");
    assertThat(dir.resolve("data")).doesNotExist();
  }

  @Test
  void aUidAboveThirtyTwoBitsIsAUsageError() {
    LauncherStoreCommandsTest.Result r = serveWith("4294967296");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("not a uid: 4294967296");
  }
}
