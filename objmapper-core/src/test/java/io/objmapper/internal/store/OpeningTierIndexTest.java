package io.objmapper.internal.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.objmapper.StorageException;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class OpeningTierIndexTest {
  @Test
  void lookupsFindNothingAndDoNotWaitWhileTheIndexOpens() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    HeapTierIndex heap = new HeapTierIndex();
    heap.put("/a", new IndexRecord(1, 2, 0));
    OpeningTierIndex index = new OpeningTierIndex("t", () -> {
      release.await();
      return heap;
    });
    assertThat(index.ready()).isFalse();
    assertThat(index.complete()).isFalse();
    assertThat(index.get("/a")).isNull();
    release.countDown();
    index.size(); // waits for the open
    assertThat(index.ready()).isTrue();
    assertThat(index.get("/a")).isEqualTo(new IndexRecord(1, 2, 0));
    index.close();
  }

  @Test
  void writesWaitForTheOpenAndAreKept() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    HeapTierIndex heap = new HeapTierIndex();
    OpeningTierIndex index = new OpeningTierIndex("t", () -> {
      release.await();
      return heap;
    });
    CompletableFuture<Void> put = CompletableFuture.runAsync(() -> index.put("/b", new IndexRecord(3, 4, 1)));
    assertThat(put).isNotDone();
    release.countDown();
    put.get(30, TimeUnit.SECONDS);
    assertThat(heap.get("/b")).isEqualTo(new IndexRecord(3, 4, 1));
    index.close();
  }

  @Test
  void anIndexThatCannotOpenFailsWritesAndFindsNothing() {
    OpeningTierIndex index = new OpeningTierIndex("t", () -> {
      throw new IOException("locked by another process");
    });
    assertThatThrownBy(() -> index.put("/c", new IndexRecord(0, 0, 0)))
        .isInstanceOf(StorageException.class).hasMessageContaining("locked by another process");
    assertThat(index.get("/c")).isNull();
    assertThat(index.ready()).isFalse();
    index.close();
  }
}
