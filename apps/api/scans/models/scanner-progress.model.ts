import { Field, ObjectType } from '@nestjs/graphql';
import type { ResultStatus, ScannerState } from '../../../../libs/contracts';
import { ResultStatusEnum, ScannerStateEnum } from './scan-enums';

@ObjectType('ScannerProgress')
export class ScannerProgressModel {
  @Field(() => String)
  scanner!: string;

  @Field(() => ScannerStateEnum)
  state!: ScannerState;

  @Field(() => ResultStatusEnum, { nullable: true })
  resultStatus?: ResultStatus;

  @Field(() => String, { nullable: true })
  error?: string;
}
