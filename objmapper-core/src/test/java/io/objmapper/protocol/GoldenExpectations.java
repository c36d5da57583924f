package io.objmapper.protocol;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The value each golden frame of {@code src-test-data/protocol/} decodes to, by file name. */
final class GoldenExpectations {
  private GoldenExpectations() {}

  static final long MIB = 1024 * 1024;
  static final long MTIME = 1_700_000_000L;

  static final PayloadDescriptor TWO_VARIANTS = new PayloadDescriptor(1, 0x0001_0002, 0, List.of(
      new PayloadVariant("raw", 0x0102_0304, 0, 5 * MIB, 5 * MIB, 4096, true),
      new PayloadVariant("zstd", 0x0000_0002, 3, 5 * MIB, 397_543, 65_536, false)));

  static final Map<String, Object> VALUES = values();

  private static Map<String, Object> values() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("hello", new Hello(0x0013, 100));
    m.put("hello-ack", new HelloAck(0x0013, 100, 8));

    m.put("v1-request-fdpass", DecodedRequest.v1(Mode.FDPASS, "/data/a.bin"));
    m.put("v1-request-copy", DecodedRequest.v1(Mode.COPY, "/logs/b.json"));
    m.put("v1-request-splice", DecodedRequest.v1(Mode.SPLICE, "/video.mp4"));
    m.put("v1-request-segmented", DecodedRequest.v1(Mode.SEGMENTED, "/big/seg.dat"));
    m.put("v2-request-fdpass-ordered",
        DecodedRequest.request(1, RequestFlags.ORDERED, Mode.FDPASS, "/img/cat.png"));
    m.put("v2-request-copy-priority",
        DecodedRequest.request(42, RequestFlags.PRIORITY, Mode.COPY, "/docs/readme.txt"));
    m.put("v2-request-splice", DecodedRequest.request(0x8000_0000L, 0, Mode.SPLICE, "/stream/c.bin"));
    m.put("v2-request-segmented-ordered-priority", DecodedRequest.request(
        0xFFFF_FFFFL, RequestFlags.ORDERED | RequestFlags.PRIORITY, Mode.SEGMENTED, "/archive/2024.tar"));
    m.put("v2-request-utf8-uri", DecodedRequest.request(7, 0, Mode.FDPASS, "/caf\u00e9/\u65e5\u672c/\ud834\udd1e.txt"));
    m.put("v2-close-normal", DecodedRequest.close(CloseReason.NORMAL));
    m.put("v2-close-idle-timeout", DecodedRequest.close(CloseReason.IDLE_TIMEOUT));
    m.put("v2-close-protocol-error", DecodedRequest.close(CloseReason.PROTOCOL_ERROR));
    m.put("v2-close-shutting-down", DecodedRequest.close(CloseReason.SHUTTING_DOWN));

    Metadata sizeMtime = Metadata.builder().size(MIB).mtimeSeconds(MTIME).build();
    m.put("v1-error-not-found", new Response(0, Status.NOT_FOUND.code(), 0, error("Object not found")));
    m.put("v1-response-fd-size-mtime", new Response(0, Status.OK.code(), 0, sizeMtime));
    m.put("v1-delete-ok-no-body", new Response(0, Status.OK.code(), 1, Metadata.EMPTY));
    m.put("v2-response-fd-size-mtime", new Response(1, Status.OK.code(), 0, sizeMtime));
    m.put("v2-response-fd-size-mtime-backend", new Response(42, Status.OK.code(), 0,
        Metadata.builder().size(MIB).mtimeSeconds(MTIME).backend(2).build()));
    m.put("v2-response-copy-content", new Response(5, Status.OK.code(), 11,
        Metadata.builder().size(11).mtimeSeconds(MTIME).build()));
    m.put("v2-response-every-tlv", new Response(11, Status.OK.code(), 0, Metadata.builder()
        .size(5 * MIB)
        .mtimeSeconds(MTIME)
        .etag("5f2a-100000")
        .mime("application/octet-stream")
        .backend(1)
        .latencyMicros(1500)
        .payload(TWO_VARIANTS)
        .error("stale replica")
        .build()));
    m.put("v2-error-not-found", new Response(3, Status.NOT_FOUND.code(), 0, error("Object not found")));
    m.put("v2-error-uri-too-long", new Response(4, Status.URI_TOO_LONG.code(), 0, error("URI too long")));
    m.put("v2-delete-ok-no-body", new Response(6, Status.OK.code(), 1, Metadata.EMPTY));
    m.put("v2-segmented-inline-fd-reuse", new SegmentedResponse(9, Status.OK.code(),
        Metadata.builder().size(12_304).build(), List.of(
            Segment.inline(16, false),
            Segment.fd(0, 4096, false),
            new Segment(Segment.FD, Segment.FIN | Segment.REUSE_FD, 0, 8192, 4096, 8192))));
    m.put("v2-server-close-shutting-down", new Close(CloseReason.SHUTTING_DOWN));
    m.put("v2-close-ack", new CloseAck(2));
    return m;
  }

  private static Metadata error(String message) {
    return Metadata.builder().error(message).build();
  }
}
