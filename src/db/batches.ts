/** How maintenance work (retention, expired sessions) runs over many rows. */
export interface BatchOptions {
  /** Count what would change, change nothing. */
  dryRun: boolean;
  /** Rows per transaction or statement (1 to 100,000): short locks, bounded memory. */
  batchSize: number;
}

export const MAX_BATCH_SIZE = 100_000;

/** A programming error, not a user's: the job passes a fixed size. */
export function checkBatchSize(batchSize: number): void {
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
    throw new RangeError(`batchSize must be a whole number from 1 to ${MAX_BATCH_SIZE}, got ${batchSize}`);
  }
}
