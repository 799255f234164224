/** A batch the model failed to extract several times in a row, skipped so later turns still promote. */
export interface ParkedRange {
  readonly firstEventId: string;
  readonly lastEventId: string;
  readonly events: number;
  readonly failures: number;
  readonly lastErrorCode: string;
  readonly parkedAt: number;
  /** Set by an operator's retry request: the next run extracts the range again. */
  readonly retryRequestedAt?: number;
}
