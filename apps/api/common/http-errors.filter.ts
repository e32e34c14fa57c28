import { Catch, HttpStatus, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { GraphQLError } from 'graphql';

const STATUS: Record<string, number> = {
  UNAUTHENTICATED: HttpStatus.UNAUTHORIZED,
  FORBIDDEN: HttpStatus.FORBIDDEN,
  NOT_FOUND: HttpStatus.NOT_FOUND,
  RATE_LIMITED: HttpStatus.TOO_MANY_REQUESTS,
  BAD_USER_INPUT: HttpStatus.BAD_REQUEST,
  PAYLOAD_TOO_LARGE: HttpStatus.PAYLOAD_TOO_LARGE,
  CONFLICT: HttpStatus.CONFLICT,
  TEMPORAL_UNAVAILABLE: HttpStatus.SERVICE_UNAVAILABLE,
  S3_UNAVAILABLE: HttpStatus.BAD_GATEWAY,
};

/**
 * The guard and services speak typed GraphQL errors; on plain HTTP routes (uploads, webhooks)
 * the same errors become status codes with the same `code` and message.
 */
@Catch(GraphQLError)
export class HttpErrorsFilter implements ExceptionFilter {
  catch(error: GraphQLError, host: ArgumentsHost) {
    // In GraphQL, returning the error hands it back to the GraphQL layer unchanged.
    if (host.getType<'http' | 'graphql'>() !== 'http') return error;
    const code = String(error.extensions.code ?? 'INTERNAL_SERVER_ERROR');
    const res = host.switchToHttp().getResponse<Response>();
    const retryAfter = error.extensions.retryAfterSeconds;
    if (typeof retryAfter === 'number') res.setHeader('retry-after', String(retryAfter));
    res
      .status(STATUS[code] ?? HttpStatus.INTERNAL_SERVER_ERROR)
      .json({ error: { code, message: error.message, ...error.extensions } });
  }
}
