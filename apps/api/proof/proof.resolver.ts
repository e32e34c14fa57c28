import { Args, ID, Query, Resolver } from '@nestjs/graphql';
import type { Principal } from '../../../libs/auth/roles';
import { OnObject } from '../auth/authorize.decorator';
import { CurrentPrincipal } from '../auth/request-context';
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
}
