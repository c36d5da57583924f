package io.objmapper.protocol;

import java.util.Objects;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * The metadata TLVs of a response, decoded. Unknown TLV types are skipped on decode.
 *
 * <pre>
 * type u8 | length u16 | value[length]
 * SIZE 0x01 u64 | MTIME 0x02 u64 Unix seconds | ETAG 0x03 UTF-8 | MIME 0x04 UTF-8
 * BACKEND 0x05 u8 | LATENCY 0x06 u32 µs | PAYLOAD 0x07 592 bytes LE | ERROR 0xFF UTF-8
 * </pre>
 */
public final class Metadata {
  /** No TLVs at all. */
  public static final Metadata EMPTY = builder().build();

  private final long size;
  private final long mtime;
  private final String etag;
  private final String mime;
  private final int backend;
  private final long latencyMicros;
  private final PayloadDescriptor payload;
  private final String error;
  private final String tiers;

  private Metadata(Builder b) {
    this.size = b.size;
    this.mtime = b.mtime;
    this.etag = b.etag;
    this.mime = b.mime;
    this.backend = b.backend;
    this.latencyMicros = b.latencyMicros;
    this.payload = b.payload;
    this.error = b.error;
    this.tiers = b.tiers;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** SIZE: the object's size in bytes. */
  public OptionalLong size() {
    return size < 0 ? OptionalLong.empty() : OptionalLong.of(size);
  }

  /** MTIME: the object's modification time, Unix seconds. */
  public OptionalLong mtimeSeconds() {
    return mtime < 0 ? OptionalLong.empty() : OptionalLong.of(mtime);
  }

  public String etag() {
    return etag;
  }

  public String mime() {
    return mime;
  }

  /** BACKEND: the id of the tier that served the object. */
  public OptionalInt backend() {
    return backend < 0 ? OptionalInt.empty() : OptionalInt.of(backend);
  }

  /** LATENCY: server-side time spent, in microseconds. */
  public OptionalLong latencyMicros() {
    return latencyMicros < 0 ? OptionalLong.empty() : OptionalLong.of(latencyMicros);
  }

  public PayloadDescriptor payload() {
    return payload;
  }

  /** ERROR: the message of an error response, or {@code null}. */
  public String error() {
    return error;
  }

  /** TIERS (extension): the server's tier names in id order; empty if the answer had none. */
  public java.util.List<String> tierNames() {
    return tiers == null ? java.util.List.of() : java.util.List.of(tiers.split("\n", -1));
  }

  /** TIERS as on the wire (names separated by LF), or {@code null}. */
  String tiersText() {
    return tiers;
  }

  /** Bytes this metadata takes on the wire, TLV headers included. */
  public int encodedLength() {
    int n = 0;
    if (size >= 0) {
      n += Protocol.TLV_HEADER_LENGTH + 8;
    }
    if (mtime >= 0) {
      n += Protocol.TLV_HEADER_LENGTH + 8;
    }
    if (etag != null) {
      n += Protocol.TLV_HEADER_LENGTH + ProtocolEncoder.utf8Length(etag);
    }
    if (mime != null) {
      n += Protocol.TLV_HEADER_LENGTH + ProtocolEncoder.utf8Length(mime);
    }
    if (backend >= 0) {
      n += Protocol.TLV_HEADER_LENGTH + 1;
    }
    if (latencyMicros >= 0) {
      n += Protocol.TLV_HEADER_LENGTH + 4;
    }
    if (payload != null) {
      n += Protocol.TLV_HEADER_LENGTH + PayloadDescriptor.LENGTH;
    }
    if (error != null) {
      n += Protocol.TLV_HEADER_LENGTH + ProtocolEncoder.utf8Length(error);
    }
    if (tiers != null) {
      n += Protocol.TLV_HEADER_LENGTH + ProtocolEncoder.utf8Length(tiers);
    }
    return n;
  }

  long rawSize() {
    return size;
  }

  long rawMtime() {
    return mtime;
  }

  int rawBackend() {
    return backend;
  }

  long rawLatency() {
    return latencyMicros;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof Metadata)) {
      return false;
    }
    Metadata m = (Metadata) o;
    return size == m.size && mtime == m.mtime && backend == m.backend && latencyMicros == m.latencyMicros
        && Objects.equals(etag, m.etag) && Objects.equals(mime, m.mime)
        && Objects.equals(payload, m.payload) && Objects.equals(error, m.error) && Objects.equals(tiers, m.tiers);
  }

  @Override
  public int hashCode() {
    return Objects.hash(size, mtime, etag, mime, backend, latencyMicros, payload, error, tiers);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("Metadata{");
    if (size >= 0) {
      sb.append("size=").append(size).append(' ');
    }
    if (mtime >= 0) {
      sb.append("mtime=").append(mtime).append(' ');
    }
    if (etag != null) {
      sb.append("etag=").append(etag).append(' ');
    }
    if (mime != null) {
      sb.append("mime=").append(mime).append(' ');
    }
    if (backend >= 0) {
      sb.append("backend=").append(backend).append(' ');
    }
    if (latencyMicros >= 0) {
      sb.append("latencyMicros=").append(latencyMicros).append(' ');
    }
    if (payload != null) {
      sb.append("payload=").append(payload).append(' ');
    }
    if (error != null) {
      sb.append("error=").append(error).append(' ');
    }
    if (tiers != null) {
      sb.append("tiers=").append(tierNames()).append(' ');
    }
    return sb.toString().trim() + "}";
  }

  /** Builds {@link Metadata}; every field is optional. */
  public static final class Builder {
    private long size = -1;
    private long mtime = -1;
    private String etag;
    private String mime;
    private int backend = -1;
    private long latencyMicros = -1;
    private PayloadDescriptor payload;
    private String error;
    private String tiers;

    private Builder() {}

    public Builder size(long size) {
      if (size < 0) {
        throw new IllegalArgumentException("size < 0");
      }
      this.size = size;
      return this;
    }

    public Builder mtimeSeconds(long mtime) {
      if (mtime < 0) {
        throw new IllegalArgumentException("mtime < 0");
      }
      this.mtime = mtime;
      return this;
    }

    public Builder etag(String etag) {
      this.etag = checkText(etag, "etag");
      return this;
    }

    public Builder mime(String mime) {
      this.mime = checkText(mime, "mime");
      return this;
    }

    public Builder backend(int backend) {
      if (backend < 0 || backend > 0xFF) {
        throw new IllegalArgumentException("backend not a u8: " + backend);
      }
      this.backend = backend;
      return this;
    }

    public Builder latencyMicros(long latencyMicros) {
      if (latencyMicros < 0 || latencyMicros > 0xFFFF_FFFFL) {
        throw new IllegalArgumentException("latencyMicros not a u32: " + latencyMicros);
      }
      this.latencyMicros = latencyMicros;
      return this;
    }

    public Builder payload(PayloadDescriptor payload) {
      this.payload = Objects.requireNonNull(payload, "payload");
      return this;
    }

    public Builder error(String error) {
      this.error = checkText(error, "error");
      return this;
    }

    /** TIERS: tier names (none empty, none holding LF) in id order. */
    public Builder tierNames(java.util.List<String> names) {
      if (names.isEmpty()) {
        throw new IllegalArgumentException("no tier names");
      }
      for (String n : names) {
        if (n.isEmpty() || n.indexOf('\n') >= 0) {
          throw new IllegalArgumentException("a tier name is empty or holds LF: \"" + n + "\"");
        }
      }
      this.tiers = checkText(String.join("\n", names), "tiers");
      return this;
    }

    /** TIERS as received (names separated by LF). */
    Builder tiersText(String text) {
      this.tiers = checkText(text, "tiers");
      return this;
    }

    public Metadata build() {
      return new Metadata(this);
    }

    private static String checkText(String s, String what) {
      Objects.requireNonNull(s, what);
      if (ProtocolEncoder.utf8(s).length > 0xFFFF) {
        throw new IllegalArgumentException(what + " longer than 65535 bytes");
      }
      return s;
    }
  }
}
