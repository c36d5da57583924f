package io.objmapper.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import org.junit.jupiter.api.Test;

/** When an I/O loop polls before it sleeps: the policy alone, on given times (no clock, no sockets). */
class IdleSpinTest {
  /** A connection of a loop, as the server's are. */
  private record Conn(Object loop) {}

  private final Object loopA = new Object();
  private final Object loopB = new Object();
  private final Conn first = new Conn(loopA);
  private final Conn second = new Conn(loopB);
  private final Conn third = new Conn(loopA);

  private static IdleSpin.Served<Conn> served() {
    return new IdleSpin.Served<>(Conn::loop);
  }

  @Test
  void aLoopMaySpinOnlyOnceItsConnectionHasBeenTheOnlyOneServedForAMillisecond() {
    IdleSpin.Served<Conn> served = served();
    assertThat(served.alone(loopA, 0)).as("nothing served yet").isFalse();
    long t = 5_000_000;
    served.served(first, t);
    assertThat(served.alone(loopA, t + IdleSpin.ALONE_NANOS - 1)).as("not a millisecond yet").isFalse();
    assertThat(served.alone(loopA, t + IdleSpin.ALONE_NANOS)).isTrue();
    assertThat(served.alone(loopB, t + IdleSpin.ALONE_NANOS)).as("another loop's connection is not served").isFalse();
    // Requests of the same connection keep it alone: its time is the first of the run.
    for (long now = t; now <= t + 3 * IdleSpin.ALONE_NANOS; now += 10_000) {
      served.served(first, now);
    }
    assertThat(served.alone(loopA, t + 3 * IdleSpin.ALONE_NANOS)).isTrue();
    served.forget(second);
    assertThat(served.alone(loopA, t + 3 * IdleSpin.ALONE_NANOS)).as("another connection closed").isTrue();
    served.forget(first);
    assertThat(served.alone(loopA, t + 3 * IdleSpin.ALONE_NANOS)).as("the lone connection closed").isFalse();
    served.served(second, t + 4 * IdleSpin.ALONE_NANOS);
    assertThat(served.alone(loopB, t + 5 * IdleSpin.ALONE_NANOS)).isTrue();
    assertThat(served.alone(loopA, t + 5 * IdleSpin.ALONE_NANOS)).isFalse();
  }

  @Test
  void twoConnectionsServedInTurnKeepEveryLoopAsleep() {
    IdleSpin.Served<Conn> served = served();
    long now = 0;
    for (int i = 0; i < 1000; i++, now += 10_000) {
      served.served(i % 2 == 0 ? first : third, now); // both on one loop
      assertThat(served.alone(loopA, now)).as("request " + i).isFalse();
    }
    for (int i = 0; i < 1000; i++, now += 10_000) {
      served.served(i % 2 == 0 ? first : second, now);
      assertThat(served.alone(loopA, now)).isFalse();
      assertThat(served.alone(loopB, now)).isFalse();
    }
    assertThat(served.alone(loopA, now + IdleSpin.ALONE_NANOS))
        .as("the last one served, a millisecond later with no other: alone on its loop").isFalse();
    assertThat(served.alone(loopB, now + IdleSpin.ALONE_NANOS)).isTrue();
  }

  @Test
  void eightEmptySpinsInARowStopSpinningUntilTheLoopIsReset() {
    assumeThat(Runtime.getRuntime().availableProcessors()).as("one processor never spins").isGreaterThan(1);
    IdleSpin spin = new IdleSpin(20_000);
    assertThat(spin.nanos()).isEqualTo(20_000);
    for (int i = 0; i < IdleSpin.MAX_EMPTY; i++) {
      assertThat(spin.mayTry()).as("spin " + i).isTrue();
      spin.missed();
    }
    assertThat(spin.mayTry()).as("a client that thinks between requests: sleep at once").isFalse();
    spin.reset();
    assertThat(spin.mayTry()).as("a sweep: spinning again").isTrue();
    for (int i = 0; i < IdleSpin.MAX_EMPTY - 1; i++) {
      spin.missed();
    }
    spin.reset();
    assertThat(spin.mayTry()).as("a spin that found the next request starts the count again").isTrue();
    spin.missed();
    assertThat(spin.mayTry()).isTrue();
  }

  @Test
  void zeroNeverSpins() {
    IdleSpin spin = new IdleSpin(0);
    assertThat(spin.nanos()).isZero();
    assertThat(spin.mayTry()).isFalse();
  }
}
