/** Which stored results to time-stamp: a scan's results, or results received from probes. */
export interface TimestampResultsInput {
  scanId?: string;
  probeResultIds?: string[];
}

export interface TimestampResultsSummary {
  stamped: number;
  /** No TSA with trust roots is configured: nothing was sent anywhere. */
  disabled: boolean;
}

/** The proof activity; workflows import this type only. */
export interface ProofActivities {
  timestampResults(input: TimestampResultsInput): Promise<TimestampResultsSummary>;
}

export const timestampScanWorkflowId = (scanId: string) => `timestamp:scan:${scanId}`;
export const timestampProbeResultWorkflowId = (probeResultId: string) =>
  `timestamp:probe-result:${probeResultId}`;
