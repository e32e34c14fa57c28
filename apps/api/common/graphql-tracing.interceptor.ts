import {
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import { from, lastValueFrom, type Observable } from 'rxjs';

const tracer = trace.getTracer('perimeter-api');

/** A span per top-level GraphQL field, active while its resolver runs (so workflow starts nest). */
@Injectable()
export class GraphQLTracingInterceptor implements NestInterceptor {
  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (ctx.getType<'graphql'>() !== 'graphql') return next.handle();
    const info = GqlExecutionContext.create(ctx).getInfo<{
      parentType: { name: string };
      fieldName: string;
      path: { prev: unknown };
    }>();
    if (info.path.prev !== undefined) return next.handle();
    const name = `graphql ${info.parentType.name}.${info.fieldName}`;
    return from(
      tracer.startActiveSpan(name, async (span) => {
        span.setAttribute('graphql.operation.type', info.parentType.name.toLowerCase());
        span.setAttribute('graphql.field.name', info.fieldName);
        try {
          // Subscribing inside the active span runs the resolver in its context.
          return await context.with(trace.setSpan(context.active(), span), () =>
            lastValueFrom(next.handle()),
          );
        } catch (err) {
          span.recordException(err as Error);
          span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
          throw err;
        } finally {
          span.end();
        }
      }),
    );
  }
}
