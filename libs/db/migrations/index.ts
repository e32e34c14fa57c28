import { Foundation1795348570017 } from './1795348570017-foundation';
import { AccessControl1795350255015 } from './1795350255015-access-control';
import { AttackSurface1795351000000 } from './1795351000000-attack-surface';
import { ScanOptions1795352000000 } from './1795352000000-scan-options';
import { Guidance1795353000000 } from './1795353000000-guidance';
import { GraphqlSurface1795354000000 } from './1795354000000-graphql-surface';
import { OrganisationScansAndAudits1795355000000 } from './1795355000000-organisation-scans-and-audits';
import { BucketScanning1795356000000 } from './1795356000000-bucket-scanning';
import { DmarcReports1795357000000 } from './1795357000000-dmarc-reports';
import { ProofAndProbes1795358000000 } from './1795358000000-proof-and-probes';

/** Every migration, oldest first; listed explicitly so source and compiled code agree. */
export const migrations = [
  Foundation1795348570017,
  AccessControl1795350255015,
  AttackSurface1795351000000,
  ScanOptions1795352000000,
  Guidance1795353000000,
  GraphqlSurface1795354000000,
  OrganisationScansAndAudits1795355000000,
  BucketScanning1795356000000,
  DmarcReports1795357000000,
  ProofAndProbes1795358000000,
];
