import type { DataSource, QueryRunner } from 'typeorm';
import type { DmarcIngestPart } from '../../libs/contracts';
import {
  completeDmarcReport,
  findDmarcReportId,
  insertDmarcRecords,
  insertDmarcReport,
} from '../../libs/db/dmarc-reports.repository';
import {
  readReports,
  type ReportHeader,
  type ReportInput,
  type ReportRecord,
  type UnpackLimits,
} from '../../libs/dmarc-report';

const BATCH = 1000;

interface OpenReport {
  runner: QueryRunner;
  id: string;
  header: ReportHeader;
  batch: ReportRecord[];
  /** The insert in flight: parsing goes on while PostgreSQL writes the previous batch. */
  inFlight: Promise<void>;
}

/**
 * The one ingest pipeline every source ends in: the bytes of one input → every report in it,
 * each stored in its own transaction (a report that fails halfway leaves no rows) and identified
 * by reporter + report id (a report already stored is skipped). Records are written in batches
 * while the XML streams, so memory does not grow with the report.
 */
export async function storeReports(
  dataSource: DataSource,
  input: ReportInput & { organisationId: string; uploadId: string | null },
  options: { limits?: UnpackLimits; onProgress?: (records: number) => void } = {},
): Promise<DmarcIngestPart[]> {
  const parts: DmarcIngestPart[] = [];
  let open: OpenReport | undefined;
  let duplicateOf: { id: string; header: ReportHeader } | undefined;
  let written = 0;

  const flush = async (o: OpenReport, last = false) => {
    const batch = o.batch.splice(0);
    const previous = o.inFlight;
    o.inFlight = insertDmarcRecords(
      o.runner.manager,
      {
        id: o.id,
        organisationId: input.organisationId,
        domain: o.header.policy.domain,
        beginSeconds: o.header.metadata.begin,
      },
      batch,
    );
    // Swallowed here only to avoid an unhandled rejection; the await below or in close() sees it.
    o.inFlight.catch(() => undefined);
    await previous;
    if (last) await o.inFlight;
    written += batch.length;
    options.onProgress?.(written);
  };
  const close = async (commit: boolean) => {
    const o = open;
    open = undefined;
    if (!o) return;
    try {
      await o.inFlight.catch(() => undefined);
      if (commit) await o.runner.commitTransaction();
      else await o.runner.rollbackTransaction();
    } finally {
      await o.runner.release();
    }
  };

  try {
    const outcome = await readReports(input, {
      limits: options.limits,
      onHeader: async (_part, header) => {
        const runner = dataSource.createQueryRunner();
        await runner.connect();
        await runner.startTransaction();
        let id: string | undefined;
        try {
          id = await insertDmarcReport(runner.manager, {
            organisationId: input.organisationId,
            uploadId: input.uploadId,
            header,
          });
        } catch (err) {
          await runner.rollbackTransaction();
          await runner.release();
          throw err;
        }
        if (id === undefined) {
          await runner.rollbackTransaction();
          await runner.release();
          const existing = await findDmarcReportId(
            dataSource,
            input.organisationId,
            header.metadata.orgName,
            header.metadata.reportId,
          );
          duplicateOf = { id: existing!, header };
          return 'skip';
        }
        open = { runner, id, header, batch: [], inFlight: Promise.resolve() };
      },
      onRecord: async (_part, record) => {
        if (!open) return;
        open.batch.push(record);
        if (open.batch.length >= BATCH) await flush(open);
      },
      onPartEnd: async (result) => {
        const summary = (h: ReportHeader) => ({
          reporter: h.metadata.orgName,
          reporterReportId: h.metadata.reportId,
          domain: h.policy.domain,
        });
        if (!result.ok) {
          await close(false);
          duplicateOf = undefined;
          parts.push({ part: result.part, error: result.error });
          return;
        }
        if (result.skipped && duplicateOf) {
          parts.push({
            part: result.part,
            reportId: duplicateOf.id,
            ...summary(duplicateOf.header),
            duplicate: true,
          });
          duplicateOf = undefined;
          return;
        }
        const o = open!;
        await flush(o, true);
        await completeDmarcReport(o.runner.manager, o.id, {
          recordCount: result.totals.recordCount,
          messageCount: result.totals.messageCount,
          warnings: result.warnings,
        });
        await close(true);
        parts.push({
          part: result.part,
          reportId: o.id,
          ...summary(o.header),
          duplicate: false,
          recordCount: result.totals.recordCount,
          warningCount: result.warnings.length,
        });
      },
    });
    if (outcome.error) parts.push({ part: outcome.source, error: outcome.error });
  } finally {
    // Anything still open failed midway (database gone, cancelled): no partial report stays.
    await close(false).catch(() => undefined);
  }
  return parts;
}
