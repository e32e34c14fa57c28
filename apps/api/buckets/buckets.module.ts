import { Module } from '@nestjs/common';
import { BucketNotificationsController } from './bucket-notifications.controller';
import { BucketsResolver } from './buckets.resolver';
import { BucketsService } from './buckets.service';

@Module({
  controllers: [BucketNotificationsController],
  providers: [BucketsResolver, BucketsService],
})
export class BucketsModule {}
