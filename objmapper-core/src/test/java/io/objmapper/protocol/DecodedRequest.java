package io.objmapper.protocol;

/**
 * A value snapshot of a {@link RequestFrame} (which is reused and has no equals), holding
 * only the fields that the frame's type gives meaning to.
 */
record DecodedRequest(int type, long requestId, int flags, Mode mode, String uri, int closeReason) {

  static DecodedRequest request(long requestId, int flags, Mode mode, String uri) {
    return new DecodedRequest(Protocol.TYPE_REQUEST, requestId, flags, mode, uri, 0);
  }

  static DecodedRequest v1(Mode mode, String uri) {
    return request(0, 0, mode, uri);
  }

  static DecodedRequest close(int reason) {
    return new DecodedRequest(Protocol.TYPE_CLOSE, 0, 0, null, null, reason);
  }

  static DecodedRequest of(RequestFrame f) {
    return f.type() == Protocol.TYPE_CLOSE
        ? close(f.closeReason())
        : request(f.requestId(), f.flags(), f.mode(), f.uri());
  }
}
