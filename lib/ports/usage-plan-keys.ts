/**
 * API Gateway API keys attached to usage plans. A service key's token is also the value of an API
 * Gateway key, which the authorizer returns as `usageIdentifierKey`, so API Gateway meters the
 * caller against the key's plan (throttle, burst, quota). The registry in Redis decides access;
 * this only does accounting.
 */
export interface UsagePlanKeys {
  /** The configured plan tiers (names, not API Gateway ids). */
  readonly tiers: readonly string[];
  readonly defaultTier: string;
  /**
   * Creates an enabled API Gateway key whose value is `value` and attaches it to the tier's usage
   * plan. Returns the API Gateway key id. A failure to attach deletes the key again.
   */
  createKey(input: { readonly name: string; readonly value: string; readonly tier: string }): Promise<string>;
  /** Disables the key (immediately unusable for metering) and then deletes it. Missing key: no error. */
  removeKey(gatewayKeyId: string): Promise<void>;
}
