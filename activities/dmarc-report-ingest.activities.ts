import { ApplicationFailure, Context } from '@temporalio/activity';
import type { promises as dns } from 'node:dns';
import type { DataSource } from 'typeorm';
import type { DmarcReportIngestActivities } from '../libs/contracts';
import {
  finishDmarcUpload,
  readDmarcUploadContent,
  staleDmarcSources,
  upsertDmarcSources,
} from '../libs/db/dmarc-reports.repository';
import type { UnpackLimits } from '../libs/dmarc-report';
import { enrichSources, type EnrichOptions } from './dmarc-reports/enrich-sources';
import { storeReports } from './dmarc-reports/store-reports';

export interface DmarcReportIngestDeps {
  dataSource: DataSource;
  resolver: dns.Resolver;
  limits?: UnpackLimits;
  enrich: Omit<EnrichOptions, 'resolver'>;
}

/** Ingest: parse and store the reports of one upload, then enrich their source addresses. */
export function createDmarcReportIngestActivities(
  deps: DmarcReportIngestDeps,
): DmarcReportIngestActivities {
  return {
    async ingestDmarcUpload({ uploadId }) {
      const upload = await readDmarcUploadContent(deps.dataSource, uploadId);
      if (!upload) {
        throw ApplicationFailure.nonRetryable(`no DMARC upload ${uploadId}`, 'UnknownUpload');
      }
      const ctx = Context.current();
      const parts = await storeReports(
        deps.dataSource,
        {
          name: upload.sourceRef,
          data: upload.content,
          organisationId: upload.organisationId,
          uploadId,
        },
        { limits: deps.limits, onProgress: (n) => ctx.heartbeat(n) },
      );
      // Parse failures are an outcome to record, not a reason to retry.
      await finishDmarcUpload(deps.dataSource, uploadId, { status: 'done', outcome: parts });
      const stored = parts.filter((p) => p.reportId && !p.duplicate);
      return {
        stored: stored.length,
        duplicates: parts.filter((p) => p.duplicate).length,
        failed: parts.filter((p) => p.error).length,
        newReportIds: stored.map((p) => p.reportId!),
      };
    },

    async markDmarcUploadFailed({ uploadId, error }) {
      await finishDmarcUpload(deps.dataSource, uploadId, { status: 'failed', error });
    },

    async enrichDmarcSources({ reportIds }) {
      const ips = await staleDmarcSources(deps.dataSource, reportIds);
      const ctx = Context.current();
      const rows = await enrichSources(ips, { ...deps.enrich, resolver: deps.resolver }, (n) =>
        ctx.heartbeat(n),
      );
      await upsertDmarcSources(deps.dataSource, rows);
      return { addresses: ips.length, resolved: rows.filter((r) => r.ptr).length };
    },
  };
}
