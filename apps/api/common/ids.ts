import { graphQLError } from './graphql-errors';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(id: string): boolean {
  return UUID.test(id);
}

/** IDs are UUIDs; anything else is refused before it reaches SQL. */
export function assertUuid(id: string, what: string): void {
  if (!isUuid(id)) throw graphQLError('BAD_USER_INPUT', `"${id.slice(0, 64)}" is not a ${what} id`);
}
