package io.objmapper.protocol;

/**
 * A V1 or V2 RESPONSE: header and metadata. What follows it on the wire (nothing, content
 * bytes, or one 'X' byte carrying a descriptor) is told by {@link #fdFollows(Mode)} and
 * {@link #contentLength()}.
 *
 * @param requestId the echoed V2 request id (0 for V1)
 * @param status the raw status byte ({@link Status#of} maps it)
 * @param contentLength bytes of content that follow the metadata
 * @param metadata the decoded TLVs
 */
public record Response(long requestId, int status, long contentLength, Metadata metadata) implements ServerMessage {
  public boolean ok() {
    return status == Status.OK.code();
  }

  /**
   * True if an 'X'+descriptor message follows: status OK, no content, and the request was
   * not a COPY (an empty object in COPY mode is content length 0 with no descriptor), nor a
   * COMMIT, ABORT, DELETE, STAT or LIST of the extension (their answers never carry one).
   */
  public boolean fdFollows(Mode requestMode) {
    return ok() && contentLength == 0 && requestMode != Mode.COPY && requestMode != Mode.SEGMENTED
        && (!requestMode.isExtension() || requestMode == Mode.PUT);
  }
}
