import { randomBytes, randomUUID } from 'node:crypto';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { hashPassword } from '../../../libs/auth/passwords';
import { roleAtLeast, type Role } from '../../../libs/auth/roles';
import {
  createDomainScan,
  createOrganisation,
  createUser,
  ensureDomain,
  finishScan,
  upsertMembership,
  upsertScanResult,
  registerProbe,
  storeProbeResult,
  publishResultEvent,
} from '../../../libs/db';
import { parseInventory } from '../../../activities/surface/inventory';
import { buildSurfaceIndex, serializeIndex } from '../../../activities/surface/surface-index';
import { storeReports } from '../../../activities/dmarc-reports/store-reports';
import { createDmarcUpload } from '../../../libs/db/dmarc-reports.repository';
import { createInventoryUpload, finishInventoryVersion } from '../../../libs/db';
import {
  createOrganisationScan,
  finishOrganisationScan,
} from '../../../libs/db/organisation-scans.repository';
import { createBucket, createSweep, finishSweep } from '../../../libs/db';
import { createApiKey } from '../../../test/support/test-principals';
import { startTestS3Server, type TestS3Server } from '../../../test/support/s3-server';
import { startTestStack, type TestStack } from '../../../test/support/test-stack';

/**
 * For every GraphQL operation in the schema, every kind of caller, and a target in the caller's own
 * organisation versus another one: the expected allow or deny. An operation without a rule here
 * fails the first test, so nothing new ships unchecked.
 */

type Access =
  'public' | 'authenticated' | 'superAdmin' | { role: Role; by: 'organisation' | 'object' };
interface Target {
  organisationId: string;
}
interface Rule {
  access: Access;
  /** Run over graphql-ws rather than HTTP. */
  subscription?: boolean;
  /** Builds the call; may create fresh objects in `target` (mutations consume them). */
  call(target: Target): Promise<{ query: string; variables?: Record<string, unknown> }>;
}

interface Caller {
  name: string;
  token: string | null;
  /** Role in the own organisation. */
  role?: Role;
  /** Role in the other organisation. */
  otherRole?: Role;
  superAdmin?: boolean;
}

const unique = () => randomBytes(4).toString('hex');

const SMALL_INVENTORY = {
  vms: [
    { vm_id: 'vm-a', name: 'a', tags: ['web'] },
    { vm_id: 'vm-b', name: 'b', tags: ['db'] },
  ],
  fw_rules: [{ fw_id: 'fw-1', source_tag: 'web', dest_tag: 'db' }],
};

describe('access matrix', () => {
  let stack: TestStack;
  /** A real S3 server: each organisation's bucket holds an inventory object. */
  let s3: TestS3Server;
  let own: Target;
  let other: Target;
  const callers: Caller[] = [];
  /** The ready "prod" inventory version of each organisation. */
  const prodVersion = new Map<string, string>();
  /** A registered bucket in each organisation. */
  const bucketOf = new Map<string, string>();
  const secret = randomBytes(32).toString('hex');
  const password = 'correct horse battery staple';

  const ds = () => stack.db.dataSource;

  async function signIn(email: string): Promise<string> {
    const res = await stack.graphql<{ signIn: { token: string } }>(
      `mutation($e: String!, $p: String!) { signIn(email: $e, password: $p) { token } }`,
      { e: email, p: password },
      null,
    );
    if (!res.data) throw new Error(JSON.stringify(res.errors));
    return res.data.signIn.token;
  }

  beforeAll(async () => {
    s3 = await startTestS3Server();
    stack = await startTestStack({
      env: {
        ...s3.env,
        AUTH_LOCAL_SIGNIN: 'true',
        AUTH_LOCAL_JWT_SECRET: secret,
        // The matrix makes many calls and many deliberate not-founds from one address.
        RATE_LIMIT_PER_MINUTE: '100000',
        RATE_LIMIT_NOT_FOUND_PER_MINUTE: '100000',
        RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: '100000',
      },
    });
    own = { organisationId: (await createOrganisation(ds(), { slug: 'own', name: 'Own' })).id };
    other = {
      organisationId: (await createOrganisation(ds(), { slug: 'other', name: 'Other' })).id,
    };
    // A ready "prod" inventory in each, stored the way the import activity stores it.
    for (const { organisationId } of [own, other]) {
      const content = Buffer.from(JSON.stringify(SMALL_INVENTORY));
      const created = await createInventoryUpload(ds(), {
        organisationId,
        environment: 'prod',
        content,
        createdBy: null,
      });
      await finishInventoryVersion(ds(), created.versionId, {
        status: 'ready',
        vmCount: 2,
        ruleCount: 1,
        index: serializeIndex(buildSurfaceIndex(parseInventory(content))),
      });
      prodVersion.set(organisationId, created.versionId);
      const bucketName = `bucket-${unique()}`;
      await s3.createBucket(bucketName);
      await s3.put(bucketName, 'inventory.json', JSON.stringify(SMALL_INVENTORY));
      const bucket = await createBucket(ds(), {
        organisationId,
        name: bucketName,
        scanOnUpload: true,
        tagObjects: true,
        infectedAction: 'none',
        quarantineBucket: null,
        maxObjectBytes: 1024,
        webhookUrl: null,
        webhookSecret: null,
        notifyClean: false,
      });
      bucketOf.set(organisationId, bucket.id);
    }
    const hash = await hashPassword(password);
    const person = async (name: string, role?: Role, superAdmin = false) => {
      const user = await createUser(ds(), {
        email: `${name}@example.test`,
        passwordHash: hash,
        superAdmin,
      });
      if (role)
        await upsertMembership(ds(), { userId: user.id, organisationId: own.organisationId, role });
      callers.push({ name, token: await signIn(user.email), role, superAdmin });
    };
    callers.push({ name: 'anonymous', token: null });
    await person('viewer', 'viewer');
    await person('operator', 'operator');
    await person('admin', 'admin');
    await person('superadmin', undefined, true);
    await person('outsider'); // a member of nothing
    for (const role of ['viewer', 'operator', 'admin'] as const) {
      const key = await createApiKey(ds(), own.organisationId, role);
      callers.push({ name: `${role} key`, token: key.token, role });
    }
    // An admin of the other organisation: must see nothing of ours.
    const otherAdmin = await createUser(ds(), {
      email: 'other-admin@example.test',
      passwordHash: hash,
    });
    await upsertMembership(ds(), {
      userId: otherAdmin.id,
      organisationId: other.organisationId,
      role: 'admin',
    });
    const otherToken = await signIn(otherAdmin.email);
    callers.push({ name: 'admin of other', token: otherToken, otherRole: 'admin' });
  });
  afterAll(async () => {
    await stack?.stop();
    await s3?.stop();
  });

  const organisationScanIn = async (t: Target) =>
    createOrganisationScan(ds(), {
      organisationId: t.organisationId,
      scanners: ['dns'],
      concurrency: 1,
      requestedBy: null,
    });

  /** A recurring audit with its real Temporal Schedule, made by the super admin. */
  const auditIn = async (t: Target) => {
    const res = await stack.graphql<{ createRecurringAudit: { id: string } }>(
      `mutation($o: ID!, $n: String!) { createRecurringAudit(organisationId: $o, name: $n,
         domain: "good.perimeter.test", schedule: { intervalSeconds: 86400 }) { id } }`,
      { o: t.organisationId, n: `a-${unique()}` },
      callers.find((c) => c.superAdmin)!.token,
    );
    if (!res.data) throw new Error(JSON.stringify(res.errors));
    return res.data.createRecurringAudit.id;
  };
  const onAudit = (mutation: string) => async (t: Target) => ({
    query: `mutation($id: ID!) { ${mutation}(id: $id) ${mutation.startsWith('delete') ? '' : '{ id }'} }`,
    variables: { id: await auditIn(t) },
  });

  const freshUser = async (t: Target, role: Role = 'operator') => {
    const u = await createUser(ds(), { email: `m-${unique()}@example.test` });
    await upsertMembership(ds(), { userId: u.id, organisationId: t.organisationId, role });
    return u.id;
  };

  const rules: Record<string, Rule> = {
    // Queries
    me: { access: 'authenticated', call: async () => ({ query: '{ me { apiKeyId } }' }) },
    organisations: {
      access: 'authenticated',
      call: async () => ({ query: '{ organisations { id } }' }),
    },
    organisation: {
      access: { role: 'viewer', by: 'organisation' },
      call: async (t) => ({
        query: 'query($id: ID!) { organisation(id: $id) { id } }',
        variables: { id: t.organisationId },
      }),
    },
    members: {
      access: { role: 'admin', by: 'organisation' },
      call: async (t) => ({
        query: 'query($o: ID!) { members(organisationId: $o) { role } }',
        variables: { o: t.organisationId },
      }),
    },
    apiKeys: {
      access: { role: 'admin', by: 'organisation' },
      call: async (t) => ({
        query: 'query($o: ID!) { apiKeys(organisationId: $o) { id } }',
        variables: { o: t.organisationId },
      }),
    },
    auditLog: {
      access: { role: 'admin', by: 'organisation' },
      call: async (t) => ({
        query: 'query($o: ID!) { auditLog(organisationId: $o) { totalCount } }',
        variables: { o: t.organisationId },
      }),
    },
    domains: {
      access: { role: 'viewer', by: 'organisation' },
      call: async (t) => ({
        query: 'query($o: ID!) { domains(organisationId: $o, first: 5) { totalCount } }',
        variables: { o: t.organisationId },
      }),
    },
    scan: {
      access: { role: 'viewer', by: 'object' },
      call: async (t) => {
        const { scan } = await createDomainScan(ds(), {
          organisationId: t.organisationId,
          domain: { ascii: `s${unique()}.example.test`, unicode: 'x' },
          requestedBy: null,
        });
        return {
          query:
            'query($id: ID!) { scan(id: $id) { id results { scanner } progress { state } guidanceTags { tagId } compliance { web } } }',
          variables: { id: scan.id },
        };
      },
    },
    domainLabels: {
      access: { role: 'viewer', by: 'organisation' },
      call: async (t) => ({
        query: 'query($o: ID!) { domainLabels(organisationId: $o, first: 5) { totalCount } }',
        variables: { o: t.organisationId },
      }),
    },
    scans: {
      access: { role: 'viewer', by: 'organisation' },
      call: async (t) => ({
        query: 'query($o: ID!) { scans(organisationId: $o, first: 5) { totalCount } }',
        variables: { o: t.organisationId },
      }),
    },
    scanResults: {
      access: { role: 'viewer', by: 'object' },
      call: async (t) => {
        const { scan } = await createDomainScan(ds(), {
          organisationId: t.organisationId,
          domain: { ascii: `sr${unique()}.example.test`, unicode: 'x' },
          requestedBy: null,
        });
        return {
          query: 'query($id: ID!) { scanResults(scanId: $id, first: 5) { totalCount } }',
          variables: { id: scan.id },
        };
      },
    },
    // Attack surface: each organisation has a ready "prod" inventory (made in beforeAll).
    importInventory: {
      access: { role: 'operator', by: 'organisation' },
      call: async (t) => ({
        query: `mutation($o: ID!, $i: JSONObject!) { importInventory(organisationId: $o, environment: "staging", inventory: $i) { id } }`,
        variables: { o: t.organisationId, i: SMALL_INVENTORY },
      }),
    },
    importInventoryFromBucket: {
      access: { role: 'operator', by: 'organisation' },
      call: async (t) => ({
        query: `mutation($o: ID!, $b: ID!) { importInventoryFromBucket(organisationId: $o,
          environment: "from-bucket", bucketId: $b, key: "inventory.json") { id } }`,
        variables: { o: t.organisationId, b: bucketOf.get(t.organisationId) },
      }),
    },
    inventoryVersions: {
      access: { role: 'viewer', by: 'organisation' },
      call: async (t) => ({
        query: 'query($o: ID!) { inventoryVersions(organisationId: $o) { id } }',
        variables: { o: t.organisationId },
      }),
    },
    inventoryVersion: {
      access: { role: 'viewer', by: 'object' },
      call: async (t) => ({
        query: 'query($id: ID!) { inventoryVersion(id: $id) { status } }',
        variables: { id: prodVersion.get(t.organisationId) },
      }),
    },
    surfaceAttackers: {
      access: { role: 'viewer', by: 'organisation' },
      call: async (t) => ({
        query:
          'query($o: ID!) { surfaceAttackers(organisationId: $o, environment: "prod", vmId: "vm-b", transitive: true) { vmId kind } }',
        variables: { o: t.organisationId },
      }),
    },
    surfacePath: {
      access: { role: 'viewer', by: 'organisation' },
      call: async (t) => ({
        query:
          'query($o: ID!) { surfacePath(organisationId: $o, environment: "prod", attacker: "vm-a", target: "vm-b") }',
        variables: { o: t.organisationId },
      }),
    },
    surfaceReachable: {
      access: { role: 'viewer', by: 'organisation' },
      call: async (t) => ({
        query:
          'query($o: ID!) { surfaceReachable(organisationId: $o, environment: "prod", vmId: "vm-a") }',
        variables: { o: t.organisationId },
      }),
    },
    surfaceMostExposed: {
      access: { role: 'viewer', by: 'organisation' },
      call: async (t) => ({
        query:
          'query($o: ID!) { surfaceMostExposed(organisationId: $o, environment: "prod") { vmId } }',
        variables: { o: t.organisationId },
      }),
    },
    surfaceStats: {
      access: { role: 'viewer', by: 'organisation' },
      call: async (t) => ({
        query:
          'query($o: ID!) { surfaceStats(organisationId: $o, environment: "prod") { requestCount } }',
        variables: { o: t.organisationId },
      }),
    },
    // Proof of scan (issue 10)
    verifyResult: {
      access: { role: 'viewer', by: 'object' },
      call: async (t) => {
        const { scan } = await createDomainScan(ds(), {
          organisationId: t.organisationId,
          domain: { ascii: `p${unique()}.example.test`, unicode: 'p' },
          requestedBy: null,
        });
        const now = new Date();
        const id = await upsertScanResult(ds(), {
          scanId: scan.id,
          scanner: 'dns',
          status: 'completed',
          data: { exists: true },
          error: null,
          attempt: 1,
          startedAt: now,
          finishedAt: now,
        });
        return {
          query: 'query($id: ID!) { verifyResult(id: $id) { state } }',
          variables: { id },
        };
      },
    },
    // Probes (issue 10)
    registerProbe: {
      access: { role: 'operator', by: 'organisation' },
      call: async (t) => ({
        query: 'mutation($o: ID!) { registerProbe(organisationId: $o, name: "matrix") { id } }',
        variables: { o: t.organisationId },
      }),
    },
    probeHeartbeat: {
      access: { role: 'operator', by: 'object' },
      call: async (t) => ({
        query: 'mutation($id: ID!) { probeHeartbeat(id: $id) { online } }',
        variables: {
          id: (await registerProbe(ds(), { ...t, name: `h${unique()}`, tool: null })).id,
        },
      }),
    },
    submitProbeResult: {
      access: { role: 'operator', by: 'object' },
      call: async (t) => ({
        query: 'mutation($p: ID!, $r: JSON!) { submitProbeResult(probeId: $p, result: $r) { id } }',
        variables: {
          p: (await registerProbe(ds(), { ...t, name: `s${unique()}`, tool: null })).id,
          r: {
            version: 1,
            format: 'matrix',
            meta: { uuid: randomUUID(), ts: new Date().toISOString(), type: 'matrix' },
            payload: {},
          },
        },
      }),
    },
    probes: {
      access: { role: 'viewer', by: 'organisation' },
      call: async (t) => ({
        query: 'query($o: ID!) { probes(organisationId: $o) { id } }',
        variables: { o: t.organisationId },
      }),
    },
    probeResults: {
      access: { role: 'viewer', by: 'organisation' },
      call: async (t) => ({
        query: 'query($o: ID!) { probeResults(organisationId: $o) { id } }',
        variables: { o: t.organisationId },
      }),
    },
    probeResult: {
      access: { role: 'viewer', by: 'object' },
      call: async (t) => {
        const probe = await registerProbe(ds(), { ...t, name: `r${unique()}`, tool: null });
        const uuid = randomUUID();
        const { row } = await storeProbeResult(ds(), {
          organisationId: t.organisationId,
          probeId: probe.id,
          resultUuid: uuid,
          resultType: 'matrix',
          resultTs: new Date().toISOString(),
          document: { version: 1, format: 'matrix', meta: { uuid }, payload: {} },
        });
        return {
          query: 'query($id: ID!) { probeResult(id: $id) { id } }',
          variables: { id: row.id },
        };
      },
    },
    // Bucket malware scanning: each organisation has a registered bucket (made in beforeAll).
    registerBucket: {
      access: { role: 'admin', by: 'organisation' },
      call: async (t) => ({
        query: `mutation($o: ID!) { registerBucket(organisationId: $o, name: "b-${unique()}", settings: {}) { id } }`,
        variables: { o: t.organisationId },
      }),
    },
    updateBucket: {
      access: { role: 'admin', by: 'object' },
      call: async (t) => ({
        query:
          'mutation($id: ID!) { updateBucket(id: $id, settings: { notifyClean: true }) { id } }',
        variables: { id: bucketOf.get(t.organisationId) },
      }),
    },
    buckets: {
      access: { role: 'viewer', by: 'organisation' },
      call: async (t) => ({
        query: 'query($o: ID!) { buckets(organisationId: $o) { id } }',
        variables: { o: t.organisationId },
      }),
    },
    bucket: {
      access: { role: 'viewer', by: 'object' },
      call: async (t) => ({
        query: 'query($id: ID!) { bucket(id: $id) { name webhookSecretSet } }',
        variables: { id: bucketOf.get(t.organisationId) },
      }),
    },
    requestBucketScan: {
      access: { role: 'operator', by: 'object' },
      call: async (t) => ({
        query: 'mutation($b: ID!) { requestBucketScan(bucketId: $b) { id } }',
        variables: { b: bucketOf.get(t.organisationId) },
      }),
    },
    bucketSweep: {
      access: { role: 'viewer', by: 'object' },
      call: async (t) => {
        const sweep = await createSweep(ds(), {
          bucketId: bucketOf.get(t.organisationId)!,
          prefix: '',
          filters: { suffixes: [], minSize: null, maxSize: null },
          force: false,
          requestedBy: null,
        });
        return {
          query: 'query($id: ID!) { bucketSweep(id: $id) { status summary { clean } } }',
          variables: { id: sweep.id },
        };
      },
    },
    bucketSweepUpdated: {
      access: { role: 'viewer', by: 'object' },
      subscription: true,
      call: async (t) => {
        const sweep = await createSweep(ds(), {
          bucketId: bucketOf.get(t.organisationId)!,
          prefix: '',
          filters: { suffixes: [], minSize: null, maxSize: null },
          force: false,
          requestedBy: null,
        });
        // A finished sweep: the subscription answers once and completes.
        await finishSweep(ds(), sweep.id);
        return {
          query: 'subscription($id: ID!) { bucketSweepUpdated(id: $id) { status } }',
          variables: { id: sweep.id },
        };
      },
    },
    bucketScanResults: {
      access: { role: 'viewer', by: 'object' },
      call: async (t) => ({
        query:
          'query($b: ID!) { bucketScanResults(bucketId: $b, verdict: INFECTED, first: 5) { totalCount } }',
        variables: { b: bucketOf.get(t.organisationId) },
      }),
    },
    // DMARC aggregate reports: each call stores a report of its own in the target organisation.
    dmarcReportUpload: {
      access: { role: 'viewer', by: 'object' },
      call: async (t) => {
        const upload = await createDmarcUpload(ds(), {
          organisationId: t.organisationId,
          source: 'upload',
          sourceRef: 'r.xml',
          content: Buffer.from('<feedback/>'),
          createdBy: null,
        });
        return {
          query: 'query($id: ID!) { dmarcReportUpload(id: $id) { status parts { part } } }',
          variables: { id: upload.id },
        };
      },
    },
    dmarcReports: {
      access: { role: 'viewer', by: 'organisation' },
      call: async (t) => ({
        query: 'query($o: ID!) { dmarcReports(organisationId: $o, first: 5) { totalCount } }',
        variables: { o: t.organisationId },
      }),
    },
    dmarcReport: {
      access: { role: 'viewer', by: 'object' },
      call: async (t) => {
        const xml = `<feedback><report_metadata><org_name>m</org_name><report_id>${unique()}</report_id></report_metadata><policy_published><domain>example.test</domain></policy_published><record><row><source_ip>192.0.2.1</source_ip><count>1</count></row></record></feedback>`;
        const [part] = await storeReports(ds(), {
          name: 'r.xml',
          data: Buffer.from(xml),
          organisationId: t.organisationId,
          uploadId: null,
        });
        return {
          query:
            'query($id: ID!) { dmarcReport(id: $id) { reporter records(first: 1) { nodes { sourceIp } } } }',
          variables: { id: part.reportId },
        };
      },
    },
    dmarcSummary: {
      access: { role: 'viewer', by: 'organisation' },
      call: async (t) => ({
        query:
          'query($o: ID!) { dmarcSummary(organisationId: $o, domain: "example.test", from: "2026-01-01", to: "2026-01-31") { messageCount } }',
        variables: { o: t.organisationId },
      }),
    },
    dmarcSources: {
      access: { role: 'viewer', by: 'organisation' },
      call: async (t) => ({
        query:
          'query($o: ID!) { dmarcSources(organisationId: $o, domain: "example.test", from: "2026-01-01", to: "2026-01-31", filter: FAILING) { totalCount } }',
        variables: { o: t.organisationId },
      }),
    },
    // Subscriptions
    scanUpdated: {
      access: { role: 'viewer', by: 'object' },
      subscription: true,
      call: async (t) => {
        const { scan } = await createDomainScan(ds(), {
          organisationId: t.organisationId,
          domain: { ascii: `w${unique()}.example.test`, unicode: 'w' },
          requestedBy: null,
        });
        // A finished scan: the subscription answers once and completes.
        await ds().query(
          `UPDATE scan SET status = 'completed', finished_at = now() WHERE id = $1`,
          [scan.id],
        );
        return {
          query: 'subscription($id: ID!) { scanUpdated(id: $id) { id } }',
          variables: { id: scan.id },
        };
      },
    },
    scanProgress: {
      access: { role: 'viewer', by: 'object' },
      subscription: true,
      call: async (t) => {
        const { scan } = await createDomainScan(ds(), {
          organisationId: t.organisationId,
          domain: { ascii: `p${unique()}.example.test`, unicode: 'p' },
          requestedBy: null,
          scanners: ['dns'],
        });
        // A finished scan: the subscription answers once and completes.
        await finishScan(ds(), scan.id, 'completed', null);
        return {
          query: 'subscription($id: ID!) { scanProgress(scanId: $id) { id progress { state } } }',
          variables: { id: scan.id },
        };
      },
    },
    resultPublished: {
      access: { role: 'viewer', by: 'organisation' },
      subscription: true,
      call: async (t) => {
        const probe = await registerProbe(ds(), { ...t, name: `e${unique()}`, tool: null });
        const uuid = randomUUID();
        const { row } = await storeProbeResult(ds(), {
          organisationId: t.organisationId,
          probeId: probe.id,
          resultUuid: uuid,
          resultType: 'matrix',
          resultTs: new Date().toISOString(),
          document: { version: 1, format: 'matrix', meta: { uuid }, payload: {} },
        });
        // An allowed subscriber hears one of these once subscribed; a refused one, its error.
        for (const ms of [300, 1000, 2500]) {
          setTimeout(() => {
            publishResultEvent(ds(), {
              type: 'probe-result',
              organisationId: t.organisationId,
              resultId: row.id,
              resultKind: 'probe-result',
            }).catch(() => undefined);
          }, ms);
        }
        return {
          query: 'subscription($o: ID!) { resultPublished(organisationId: $o) { resultId } }',
          variables: { o: t.organisationId },
        };
      },
    },
    organisationScanUpdated: {
      access: { role: 'viewer', by: 'object' },
      subscription: true,
      call: async (t) => {
        const scan = await organisationScanIn(t);
        // A finished scan: the subscription answers once and completes.
        await finishOrganisationScan(ds(), scan.id, 'completed', null);
        return {
          query: 'subscription($id: ID!) { organisationScanUpdated(id: $id) { id } }',
          variables: { id: scan.id },
        };
      },
    },
    // Organisation scans
    organisationScan: {
      access: { role: 'viewer', by: 'object' },
      call: async (t) => ({
        query:
          'query($id: ID!) { organisationScan(id: $id) { id progress { total } scans { id } } }',
        variables: { id: (await organisationScanIn(t)).id },
      }),
    },
    cancelOrganisationScan: {
      access: { role: 'operator', by: 'object' },
      // A queued scan without a workflow: cancelling it finishes the row.
      call: async (t) => ({
        query: 'mutation($id: ID!) { cancelOrganisationScan(id: $id) { status } }',
        variables: { id: (await organisationScanIn(t)).id },
      }),
    },
    requestOrganisationScan: {
      access: { role: 'operator', by: 'organisation' },
      call: async (t) => {
        await ensureDomain(ds().manager, t.organisationId, {
          ascii: 'good.perimeter.test',
          unicode: 'good.perimeter.test',
        });
        return {
          query:
            'mutation($o: ID!) { requestOrganisationScan(organisationId: $o, scanners: ["dns"]) { id } }',
          variables: { o: t.organisationId },
        };
      },
    },
    // Recurring audits
    recurringAudits: {
      access: { role: 'viewer', by: 'organisation' },
      call: async (t) => ({
        query: 'query($o: ID!) { recurringAudits(organisationId: $o) { id } }',
        variables: { o: t.organisationId },
      }),
    },
    recurringAudit: {
      access: { role: 'viewer', by: 'object' },
      call: async (t) => ({
        query:
          'query($id: ID!) { recurringAudit(id: $id) { id schedule { paused } scans { id } } }',
        variables: { id: await auditIn(t) },
      }),
    },
    createRecurringAudit: {
      access: { role: 'admin', by: 'organisation' },
      call: async (t) => ({
        query: `mutation($o: ID!, $n: String!) { createRecurringAudit(organisationId: $o, name: $n,
          schedule: { intervalSeconds: 86400 }) { id } }`,
        variables: { o: t.organisationId, n: `c-${unique()}` },
      }),
    },
    updateRecurringAudit: {
      access: { role: 'admin', by: 'object' },
      call: async (t) => ({
        query:
          'mutation($id: ID!) { updateRecurringAudit(id: $id, schedule: { intervalSeconds: 43200 }) { id } }',
        variables: { id: await auditIn(t) },
      }),
    },
    pauseRecurringAudit: {
      access: { role: 'operator', by: 'object' },
      call: onAudit('pauseRecurringAudit'),
    },
    resumeRecurringAudit: {
      access: { role: 'operator', by: 'object' },
      call: onAudit('resumeRecurringAudit'),
    },
    triggerRecurringAudit: {
      access: { role: 'operator', by: 'object' },
      call: onAudit('triggerRecurringAudit'),
    },
    deleteRecurringAudit: {
      access: { role: 'admin', by: 'object' },
      call: onAudit('deleteRecurringAudit'),
    },
    // Mutations
    signIn: {
      access: 'public',
      call: async () => ({
        query:
          'mutation($p: String!) { signIn(email: "viewer@example.test", password: $p) { token } }',
        variables: { p: password },
      }),
    },
    createOrganisation: {
      access: 'superAdmin',
      call: async () => ({
        query: `mutation { createOrganisation(slug: "o-${unique()}", name: "New") { id } }`,
      }),
    },
    addMember: {
      access: { role: 'admin', by: 'organisation' },
      call: async (t) => ({
        query:
          'mutation($o: ID!, $e: String!) { addMember(organisationId: $o, email: $e, role: VIEWER) { role } }',
        variables: { o: t.organisationId, e: `new-${unique()}@example.test` },
      }),
    },
    setMemberRole: {
      access: { role: 'admin', by: 'organisation' },
      call: async (t) => ({
        query:
          'mutation($o: ID!, $u: ID!) { setMemberRole(organisationId: $o, userId: $u, role: VIEWER) { role } }',
        variables: { o: t.organisationId, u: await freshUser(t) },
      }),
    },
    removeMember: {
      access: { role: 'admin', by: 'organisation' },
      call: async (t) => ({
        query: 'mutation($o: ID!, $u: ID!) { removeMember(organisationId: $o, userId: $u) }',
        variables: { o: t.organisationId, u: await freshUser(t) },
      }),
    },
    createApiKey: {
      access: { role: 'admin', by: 'organisation' },
      call: async (t) => ({
        query:
          'mutation($o: ID!) { createApiKey(organisationId: $o, name: "ci", role: VIEWER) { token } }',
        variables: { o: t.organisationId },
      }),
    },
    revokeApiKey: {
      access: { role: 'admin', by: 'object' },
      call: async (t) => ({
        query: 'mutation($id: ID!) { revokeApiKey(id: $id) { revokedAt } }',
        variables: { id: (await createApiKey(ds(), t.organisationId, 'viewer')).keyId },
      }),
    },
    addDomain: {
      access: { role: 'operator', by: 'organisation' },
      call: async (t) => ({
        query:
          'mutation($o: ID!, $d: String!) { addDomain(organisationId: $o, domain: $d) { id } }',
        variables: { o: t.organisationId, d: `d${unique()}.example.test` },
      }),
    },
    removeDomain: {
      access: { role: 'operator', by: 'object' },
      call: async (t) => {
        const d = await ensureDomain(ds().manager, t.organisationId, {
          ascii: `r${unique()}.example.test`,
          unicode: 'r',
        });
        return { query: 'mutation($id: ID!) { removeDomain(id: $id) }', variables: { id: d.id } };
      },
    },
    addDomains: {
      access: { role: 'operator', by: 'organisation' },
      call: async (t) => ({
        query:
          'mutation($o: ID!, $d: [String!]!) { addDomains(organisationId: $o, domains: $d, labels: ["x"]) { id } }',
        variables: {
          o: t.organisationId,
          d: [`b${unique()}.example.test`, `c${unique()}.example.test`],
        },
      }),
    },
    setDomainLabels: {
      access: { role: 'operator', by: 'object' },
      call: async (t) => {
        const d = await ensureDomain(ds().manager, t.organisationId, {
          ascii: `l${unique()}.example.test`,
          unicode: 'l',
        });
        return {
          query: 'mutation($id: ID!) { setDomainLabels(id: $id, labels: ["prod"]) { labels } }',
          variables: { id: d.id },
        };
      },
    },
    setDkimSelectors: {
      access: { role: 'operator', by: 'object' },
      call: async (t) => {
        const d = await ensureDomain(ds().manager, t.organisationId, {
          ascii: `k${unique()}.example.test`,
          unicode: 'k',
        });
        return {
          query:
            'mutation($id: ID!) { setDkimSelectors(id: $id, selectors: ["s1"]) { dkimSelectors } }',
          variables: { id: d.id },
        };
      },
    },
    setOrganisationPageSize: {
      access: 'superAdmin',
      call: async (t) => ({
        query:
          'mutation($o: ID!) { setOrganisationPageSize(organisationId: $o, maxPageSize: null) { id } }',
        variables: { o: t.organisationId },
      }),
    },
    cancelScan: {
      access: { role: 'operator', by: 'object' },
      call: async (t) => {
        // No workflow runs for it: cancelling marks the row itself.
        const { scan } = await createDomainScan(ds(), {
          organisationId: t.organisationId,
          domain: { ascii: `x${unique()}.example.test`, unicode: 'x' },
          requestedBy: null,
        });
        return {
          query: 'mutation($id: ID!) { cancelScan(id: $id) { status } }',
          variables: { id: scan.id },
        };
      },
    },
    rescan: {
      access: { role: 'operator', by: 'object' },
      call: async (t) => {
        const { scan } = await createDomainScan(ds(), {
          organisationId: t.organisationId,
          domain: { ascii: 'good.perimeter.test', unicode: 'good.perimeter.test' },
          requestedBy: null,
          scanners: ['dns'],
        });
        return {
          query: 'mutation($id: ID!) { rescan(id: $id) { id } }',
          variables: { id: scan.id },
        };
      },
    },
    // Guidance and compliance
    guidanceCatalogueVersion: {
      access: 'authenticated',
      call: async () => ({ query: '{ guidanceCatalogueVersion }' }),
    },
    guidanceTags: {
      access: 'authenticated',
      call: async () => ({ query: '{ guidanceTags(area: "spf") { id } }' }),
    },
    guidanceTag: {
      access: 'authenticated',
      call: async () => ({ query: '{ guidanceTag(id: "spf.missing") { id } }' }),
    },
    domainCompliance: {
      access: { role: 'viewer', by: 'object' },
      call: async (t) => {
        const d = await ensureDomain(ds().manager, t.organisationId, {
          ascii: `c${unique()}.example.test`,
          unicode: 'c',
        });
        return {
          query: 'query($d: ID!) { domainCompliance(domainId: $d) { web } }',
          variables: { d: d.id },
        };
      },
    },
    organisationCompliance: {
      access: { role: 'viewer', by: 'organisation' },
      call: async (t) => ({
        query: 'query($o: ID!) { organisationCompliance(organisationId: $o) { domainCount } }',
        variables: { o: t.organisationId },
      }),
    },
    organisationComplianceTrend: {
      access: { role: 'viewer', by: 'organisation' },
      call: async (t) => ({
        query:
          'query($o: ID!, $f: DateTime!) { organisationComplianceTrend(organisationId: $o, from: $f) { totalCount } }',
        variables: { o: t.organisationId, f: new Date(Date.now() - 86_400_000).toISOString() },
      }),
    },
    organisationDomainCompliance: {
      access: { role: 'viewer', by: 'organisation' },
      call: async (t) => ({
        query:
          'query($o: ID!) { organisationDomainCompliance(organisationId: $o, first: 5) { totalCount } }',
        variables: { o: t.organisationId },
      }),
    },
    reevaluateScanGuidance: {
      access: { role: 'operator', by: 'object' },
      call: async (t) => {
        const { scan } = await createDomainScan(ds(), {
          organisationId: t.organisationId,
          domain: { ascii: `g${unique()}.example.test`, unicode: 'g' },
          requestedBy: null,
        });
        await ds().query(
          `UPDATE scan SET status = 'completed', finished_at = now() WHERE id = $1`,
          [scan.id],
        );
        return {
          query: 'mutation($id: ID!) { reevaluateScanGuidance(scanId: $id) { id } }',
          variables: { id: scan.id },
        };
      },
    },
    reevaluateOrganisationGuidance: {
      access: { role: 'operator', by: 'organisation' },
      call: async (t) => ({
        query: 'mutation($o: ID!) { reevaluateOrganisationGuidance(organisationId: $o) }',
        variables: { o: t.organisationId },
      }),
    },
    requestDomainScan: {
      access: { role: 'operator', by: 'organisation' },
      call: async (t) => ({
        query:
          'mutation($o: ID!) { requestDomainScan(organisationId: $o, domain: "good.perimeter.test") { id } }',
        variables: { o: t.organisationId },
      }),
    },
  };

  /** The first answer of a subscription; a refused connection counts as UNAUTHENTICATED. */
  async function subscribeOnce(
    query: string,
    variables: Record<string, unknown> | undefined,
    token: string | null,
  ): Promise<{ errors?: Array<{ message: string; extensions?: Record<string, unknown> }> }> {
    let closeCode: number | undefined;
    const client = createClient({
      url: stack.graphqlUrl.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: token ? { authorization: `Bearer ${token}` } : {},
      retryAttempts: 0,
      on: { closed: (e) => (closeCode = (e as { code: number }).code) },
    });
    try {
      return await new Promise((resolve) => {
        client.subscribe(
          { query, variables },
          {
            next: (v) => resolve(v as never),
            error: (e) =>
              resolve(
                closeCode === 4403
                  ? { errors: [{ message: 'refused', extensions: { code: 'UNAUTHENTICATED' } }] }
                  : { errors: Array.isArray(e) ? e : [{ message: String(e) }] },
              ),
            complete: () => resolve({}),
          },
        );
      });
    } finally {
      await client.dispose();
    }
  }

  /** What the caller should get: null for allowed, else the error code. */
  function expected(caller: Caller, access: Access, target: 'own' | 'other'): string | null {
    if (access === 'public') return null;
    if (!caller.token) return 'UNAUTHENTICATED';
    if (access === 'authenticated') return null;
    if (access === 'superAdmin') return caller.superAdmin ? null : 'FORBIDDEN';
    const roleThere = caller.superAdmin
      ? 'admin'
      : target === 'own'
        ? caller.role
        : caller.otherRole;
    if (roleThere) return roleAtLeast(roleThere, access.role) ? null : 'FORBIDDEN';
    // No role in that organisation: it is "not found" — except that an object operation first
    // refuses callers who hold the role nowhere, before looking anything up.
    if (access.by === 'object') {
      const roleAnywhere = caller.role ?? caller.otherRole;
      return roleAnywhere && roleAtLeast(roleAnywhere, access.role) ? 'NOT_FOUND' : 'FORBIDDEN';
    }
    return 'NOT_FOUND';
  }

  it('has a rule for every operation in the schema', async () => {
    type Fields = { fields: Array<{ name: string }> };
    const res = await stack.graphql<{
      __schema: { queryType: Fields; mutationType: Fields; subscriptionType: Fields };
    }>(
      '{ __schema { queryType { fields { name } } mutationType { fields { name } } subscriptionType { fields { name } } } }',
      {},
      null,
    );
    const { queryType, mutationType, subscriptionType } = res.data!.__schema;
    const operations = [
      ...queryType.fields,
      ...mutationType.fields,
      ...subscriptionType.fields,
    ].map((f) => f.name);
    const missing = operations.filter((op) => !rules[op]);
    expect(missing, `operations without an access rule: ${missing.join(', ')}`).toEqual([]);
    const stale = Object.keys(rules).filter((op) => !operations.includes(op));
    expect(stale, `rules for operations that no longer exist: ${stale.join(', ')}`).toEqual([]);
  });

  it('allows and denies exactly as the rules say, for every caller and target', async () => {
    const mismatches: string[] = [];
    for (const [operation, rule] of Object.entries(rules)) {
      for (const caller of callers) {
        for (const where of ['own', 'other'] as const) {
          const { query, variables } = await rule.call(where === 'own' ? own : other);
          const res = rule.subscription
            ? await subscribeOnce(query, variables, caller.token)
            : await stack.graphql(query, variables, caller.token);
          const got =
            res.errors?.[0]?.extensions?.code ??
            (res.errors ? `error: ${res.errors[0].message}` : null);
          const want = expected(caller, rule.access, where);
          if (got !== want)
            mismatches.push(
              `${operation} by ${caller.name} on ${where}: want ${want ?? 'allowed'}, got ${got ?? 'allowed'}`,
            );
        }
      }
    }
    expect(mismatches).toEqual([]);
  });
});
