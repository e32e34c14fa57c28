import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR } from '@nestjs/core';
import { GraphQLModule } from '@nestjs/graphql';
import type { PerimeterConfig } from '../../libs/config/config';
import type { Logger, Telemetry } from '../../libs/telemetry';
import { ApiKeysModule } from './api-keys/api-keys.module';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { SubscriptionAuth } from './auth/subscription-auth';
import { DmarcReportsModule } from './dmarc-reports/dmarc-reports.module';
import { DomainsModule } from './domains/domains.module';
import { GuidanceModule } from './guidance/guidance.module';
import { OrganisationsModule } from './organisations/organisations.module';
import { OrganisationScansModule } from './organisation-scans/organisation-scans.module';
import { RecurringAuditsModule } from './recurring-audits/recurring-audits.module';
import { HttpErrorsFilter } from './common/http-errors.filter';
import { PgPubSubModule } from './common/pg-pubsub.module';
import { queryLimitsPlugin, validateSubscription } from './common/query-limits.plugin';
import { SurfaceModule } from './surface/surface.module';
import { BucketsModule } from './buckets/buckets.module';
import { GraphQLTracingInterceptor } from './common/graphql-tracing.interceptor';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health/health.module';
import { ProbesModule } from './probes/probes.module';
import { ProofModule } from './proof/proof.module';
import { ScansModule } from './scans/scans.module';
import { TemporalModule } from './temporal/temporal.module';
import { CONFIG, LOGGER, TELEMETRY } from './tokens';

@Module({})
export class AppModule {
  static forRoot(config: PerimeterConfig, logger: Logger, telemetry?: Telemetry): DynamicModule {
    const configModule: DynamicModule = {
      module: class ConfigHolderModule {},
      global: true,
      providers: [
        { provide: CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
        { provide: TELEMETRY, useValue: telemetry ?? null },
      ],
      exports: [CONFIG, LOGGER, TELEMETRY],
    };
    return {
      module: AppModule,
      imports: [
        configModule,
        DatabaseModule,
        TemporalModule,
        PgPubSubModule,
        GraphQLModule.forRootAsync<ApolloDriverConfig>({
          driver: ApolloDriver,
          imports: [AuthModule],
          inject: [SubscriptionAuth],
          useFactory: (subscriptionAuth: SubscriptionAuth): ApolloDriverConfig => ({
            autoSchemaFile: true,
            sortSchema: true,
            playground: false,
            introspection: true,
            // Internal errors reach the client as a message, never a stack trace.
            includeStacktraceInErrorResponses: false,
            context: (arg: { req?: unknown }) =>
              arg.req ? { req: arg.req } : { req: subscriptionAuth.requestOf(arg as never) },
            // Depth and cost are bounded before anything resolves.
            plugins: [queryLimitsPlugin(config.graphql)],
            // The auth guard also runs on field resolvers (field-level checks).
            fieldResolverEnhancers: ['guards'],
            subscriptions: {
              'graphql-ws': {
                path: '/graphql',
                // A subscription authenticates once, when the socket connects.
                onConnect: (ctx) => subscriptionAuth.onConnect(ctx as never),
                // graphql-ws's own option, which NestJS passes through (its type omits it):
                // the depth limit for subscriptions.
                ...({ validate: validateSubscription(config.graphql) } as object),
              },
            },
          }),
        }),
        AuthModule,
        HealthModule,
        OrganisationsModule,
        ApiKeysModule,
        AuditModule,
        DomainsModule,
        ScansModule,
        SurfaceModule,
        GuidanceModule,
        ProofModule,
        ProbesModule,
        OrganisationScansModule,
        RecurringAuditsModule,
        BucketsModule,
        DmarcReportsModule,
      ],
      providers: [
        { provide: APP_INTERCEPTOR, useClass: GraphQLTracingInterceptor },
        { provide: APP_FILTER, useClass: HttpErrorsFilter },
      ],
    };
  }
}
