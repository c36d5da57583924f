package io.objmapper.internal.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The one CIDR parser ({@code tcp_allow}, {@code --udp-allow}): literals only, each bad input named. */
class AddressRangeTest {
  @Test
  void rangesContainTheirAddressesOnly() throws Exception {
    AddressRange r = AddressRange.parse("10.1.0.0/16");
    assertThat(r.contains(InetAddress.getByName("10.1.255.3"))).isTrue();
    assertThat(r.contains(InetAddress.getByName("10.2.0.1"))).isFalse();
    assertThat(AddressRange.parse("192.0.2.7").contains(InetAddress.getByName("192.0.2.7"))).isTrue();
    assertThat(AddressRange.parse("192.0.2.7").contains(InetAddress.getByName("192.0.2.8"))).isFalse();
    assertThat(AddressRange.parse("10.0.0.0/9").contains(InetAddress.getByName("10.127.0.1"))).isTrue();
    assertThat(AddressRange.parse("10.0.0.0/9").contains(InetAddress.getByName("10.128.0.1"))).isFalse();
    assertThat(AddressRange.parse("0.0.0.0/0").contains(InetAddress.getByName("203.0.113.9"))).isTrue();
    assertThat(AddressRange.parse("fd00::/8").contains(InetAddress.getByName("fd12::1"))).isTrue();
    assertThat(AddressRange.parse("fd00::/8").contains(InetAddress.getByName("2001:db8::1"))).isFalse();
    assertThat(AddressRange.parse("::/0").contains(InetAddress.getByName("127.0.0.1")))
        .as("an IPv4 address is in no IPv6 range").isFalse();
    assertThat(AddressRange.anyContains(List.of(r, AddressRange.parse("::1")), InetAddress.getByName("::1"))).isTrue();
    assertThat(r).hasToString("10.1.0.0/16");
  }

  @Test
  void namesAndMalformedRangesAreRefusedWithoutALookup() {
    for (String bad : List.of("example.com", "cafe", "beef/8", "10", "10.0.0", "", "/8", "1.2.3.4/", "1.2.3.4/x",
        "1.2.3.4/-1", "300.1.1.1")) {
      assertThatThrownBy(() -> AddressRange.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'" + bad + "'");
    }
    assertThatThrownBy(() -> AddressRange.parse("10.0.0.0/33")).hasMessageContaining("prefix length not in 0..32");
    assertThatThrownBy(() -> AddressRange.parse("::/129")).hasMessageContaining("prefix length not in 0..128");
    assertThatThrownBy(() -> AddressRange.parseAll(List.of("10.0.0.0/8", "nope"))).hasMessageContaining("'nope'");
  }
}
