/** What the guidance step returns to the workflow: a summary; tags and compliance live in Postgres. */
export interface GuidanceSummary {
  scanId: string;
  catalogueVersion: string;
  tagCount: number;
  web: string;
  mail: string;
  dmarcPhase: string;
}

/** The guidance step `domainScan` runs after its scanners; workflows import this type only. */
export interface GuidanceActivities {
  evaluateGuidance(input: { scanId: string }): Promise<GuidanceSummary>;
}
