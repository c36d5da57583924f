package io.objmapper.internal.tier.s3;

import java.io.IOException;

/**
 * The S3 service could not be reached or did not answer in time (connection refused, the
 * request's deadline passed, a 5xx answer after the SDK's retries): the request may succeed
 * later, unlike one the service refused.
 */
public final class S3UnavailableException extends IOException {
  private static final long serialVersionUID = 1L;

  S3UnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
