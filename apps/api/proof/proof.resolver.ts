import { Args, ID, Query, Resolver, Subscription } from '@nestjs/graphql';
import type { Principal } from '../../../libs/auth/roles';
import { InOrganisation, OnObject } from '../auth/authorize.decorator';
import { CurrentPrincipal } from '../auth/request-context';
import { ResultEventModel } from './models/result-event.model';
import { ResultProofModel } from './models/result-proof.model';
import { ProofService } from './proof.service';

@Resolver(() => ResultProofModel)
export class ProofResolver {
  constructor(private readonly proof: ProofService) {}

  @OnObject('viewer')
  @Query(() => ResultProofModel, {
    description:
      'Re-hash a stored scan or probe result and check its RFC 3161 token: VERIFIED, FAILED (with what failed) or NOT_YET_TIMESTAMPED.',
  })
  verifyResult(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
  ) {
    return this.proof.verify(principal, id);
  }

  @InOrganisation('viewer')
  @Subscription(() => ResultEventModel, {
    resolve: (event: ResultEventModel) => event,
    description:
      'Results received from probes and tokens stored for scan and probe results, from now on (Postgres LISTEN/NOTIFY).',
  })
  resultPublished(@Args('organisationId', { type: () => ID }) organisationId: string) {
    return this.proof.published(organisationId);
  }
}
