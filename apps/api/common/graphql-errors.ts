import { GraphQLError } from 'graphql';

/** Error codes a GraphQL client can act on, in `extensions.code`. */
export type PerimeterErrorCode =
  | 'INVALID_DOMAIN_NAME'
  | 'BAD_USER_INPUT'
  | 'NOT_FOUND'
  | 'TEMPORAL_UNAVAILABLE'
  | 'S3_UNAVAILABLE'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'RATE_LIMITED'
  | 'CONFLICT'
  | 'TARGET_NOT_ALLOWED'
  | 'QUERY_TOO_DEEP'
  | 'QUERY_TOO_COMPLEX'
  | 'LAST_ADMIN'
  | 'WEAK_PASSWORD'
  | 'UNKNOWN_VM'
  | 'NO_INVENTORY'
  | 'PAYLOAD_TOO_LARGE';

export function graphQLError(
  code: PerimeterErrorCode,
  message: string,
  extensions: Record<string, unknown> = {},
): GraphQLError {
  return new GraphQLError(message, { extensions: { ...extensions, code } });
}
