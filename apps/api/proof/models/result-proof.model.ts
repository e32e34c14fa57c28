import { Field, GraphQLISODateTime, ID, ObjectType, registerEnumType } from '@nestjs/graphql';

export const ProofStateEnum = {
  VERIFIED: 'VERIFIED',
  FAILED: 'FAILED',
  NOT_YET_TIMESTAMPED: 'NOT_YET_TIMESTAMPED',
} as const;
registerEnumType(ProofStateEnum, {
  name: 'ProofState',
  valuesMap: {
    VERIFIED: { description: 'The stored result hashes to what a trusted TSA signed.' },
    FAILED: { description: '`failures` says what did not check out.' },
    NOT_YET_TIMESTAMPED: { description: 'No token yet: the TSA is being asked (with back-off).' },
  },
});

export const ProofFailureCodeEnum = {
  ALTERED_RESULT: 'ALTERED_RESULT',
  BAD_SIGNATURE: 'BAD_SIGNATURE',
  UNKNOWN_TSA: 'UNKNOWN_TSA',
  BAD_SIGNER_CERTIFICATE: 'BAD_SIGNER_CERTIFICATE',
  MALFORMED_TOKEN: 'MALFORMED_TOKEN',
} as const;
registerEnumType(ProofFailureCodeEnum, { name: 'ProofFailureCode' });

export const ResultKindEnum = { SCAN_RESULT: 'scan-result', PROBE_RESULT: 'probe-result' } as const;
registerEnumType(ResultKindEnum, { name: 'ResultKind' });

@ObjectType('ProofFailure')
export class ProofFailureModel {
  @Field(() => ProofFailureCodeEnum)
  code!: keyof typeof ProofFailureCodeEnum;

  @Field(() => String)
  message!: string;
}

@ObjectType('ResultProof', {
  description: 'An RFC 3161 time-stamp of a stored result, checked now against the stored result.',
})
export class ResultProofModel {
  @Field(() => ID)
  resultId!: string;

  @Field(() => ResultKindEnum)
  kind!: string;

  @Field(() => ProofStateEnum)
  state!: keyof typeof ProofStateEnum;

  @Field(() => String, {
    description: 'SHA-256 (hex) of the canonical form of the result as stored now.',
  })
  digest!: string;

  @Field(() => [ProofFailureModel])
  failures!: ProofFailureModel[];

  @Field(() => GraphQLISODateTime, {
    nullable: true,
    description: 'The TSA time (TSTInfo genTime).',
  })
  genTime!: Date | null;

  @Field(() => String, {
    nullable: true,
    description: 'The configured TSA whose roots the signer chains to.',
  })
  tsa!: string | null;

  @Field(() => String, { nullable: true, description: 'Subject of the TSA signing certificate.' })
  signer!: string | null;

  @Field(() => String, { nullable: true, description: 'TSTInfo serial number (hex).' })
  serialNumber!: string | null;

  @Field(() => String, { nullable: true, description: 'TSA policy OID.' })
  policy!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'The token (CMS ContentInfo, DER) in base64, for `openssl ts -verify -token_in`.',
  })
  tokenBase64!: string | null;

  @Field(() => String, {
    description: 'The exact bytes that were hashed: the RFC 8785 canonical JSON of the result.',
  })
  canonicalDocument!: string;
}
