/** Bedrock error names, shared by the embedders and the extractor to map failures the same way. */

/** Throttling: retry with backoff, then a 429 to the caller. */
export const THROTTLING_ERRORS = new Set([
  'ThrottlingException',
  'ServiceQuotaExceededException',
  'TooManyRequestsException',
]);

/** Refusals that a retry does not fix: the deployment (model id, access, credentials) or the input is wrong. */
export const REJECTED_ERRORS = new Set([
  'ValidationException',
  'AccessDeniedException',
  'ResourceNotFoundException',
  'UnrecognizedClientException',
  'MissingAuthenticationTokenException',
  'InvalidSignatureException',
  'ExpiredTokenException',
]);
