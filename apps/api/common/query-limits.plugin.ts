import type { ApolloServerPlugin } from '@apollo/server';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import type { DocumentNode, GraphQLSchema } from 'graphql';
// The CommonJS files themselves, as NestJS and Apollo load them: under vitest a bare 'graphql'
// import resolves to the ESM build, a second realm whose `validate` refuses NestJS's schema and
// whose errors Apollo does not recognise as GraphQL errors.
import { GraphQLError } from 'graphql/error/GraphQLError.js';
import { validate } from 'graphql/validation/validate.js';
import { getComplexity, simpleEstimator, type ComplexityEstimator } from 'graphql-query-complexity';
import type { PerimeterErrorCode } from './graphql-errors';

export interface QueryLimits {
  maxDepth: number;
  maxComplexity: number;
}

/**
 * A paged field costs its page size times what each row asks for (a connection without `first`
 * or `last` counts its default page of 20).
 */
const pagedEstimator: ComplexityEstimator = ({ args, childComplexity, field }) => {
  const paged =
    field.args.some((a) => a.name === 'first') && field.args.some((a) => a.name === 'last');
  if (!paged) return undefined;
  const size = Number(args.first ?? args.last ?? 20);
  return 1 + childComplexity * Math.max(1, Number.isFinite(size) ? size : 20);
};

/** How deep and how costly an operation is; exported for tests and the README's figures. */
export function measure(
  schema: GraphQLSchema,
  document: DocumentNode,
  limits: QueryLimits,
  variables: Record<string, unknown> = {},
  operationName?: string,
): { depthError?: string; complexity: number } {
  let depthError: string | undefined;
  validate(schema, document, [
    maxDepthRule({
      n: limits.maxDepth,
      exposeLimits: true,
      propagateOnRejection: false,
      onReject: [(_ctx, err) => (depthError ??= err.message)],
    }),
  ]);
  const complexity = getComplexity({
    schema,
    query: document,
    variables,
    operationName,
    estimators: [pagedEstimator, simpleEstimator({ defaultComplexity: 1 })],
  });
  return { depthError: depthError?.replace(/^Syntax Error: /, ''), complexity };
}

const refusal = (code: PerimeterErrorCode, message: string, extensions: Record<string, unknown>) =>
  new GraphQLError(message, { extensions: { ...extensions, code, http: { status: 400 } } });

/**
 * graphql-ws's `validate` for subscriptions (which never pass through Apollo's plugins): the
 * standard rules, then the depth limit. A subscription's cost is its lifetime, not a page, so the
 * complexity limit is left to HTTP operations.
 */
export function validateSubscription(limits: QueryLimits) {
  return (schema: GraphQLSchema, document: DocumentNode): GraphQLError[] => {
    const errors = validate(schema, document);
    if (errors.length) return [...errors];
    let depthError: string | undefined;
    validate(schema, document, [
      maxDepthRule({
        n: limits.maxDepth,
        exposeLimits: true,
        propagateOnRejection: false,
        onReject: [(_ctx, err) => (depthError ??= err.message)],
      }),
    ]);
    return depthError
      ? [
          refusal('QUERY_TOO_DEEP', depthError.replace(/^Syntax Error: /, ''), {
            maxDepth: limits.maxDepth,
          }),
        ]
      : [];
  };
}

/**
 * Refuses operations nested deeper than `maxDepth` (graphql-armor's max-depth rule; introspection
 * exempt) or costlier than `maxComplexity` (graphql-query-complexity), before anything resolves,
 * with QUERY_TOO_DEEP / QUERY_TOO_COMPLEX. Runs as a plugin rather than a validation rule so the
 * codes survive: Apollo recodes every validation error as GRAPHQL_VALIDATION_FAILED.
 */
export function queryLimitsPlugin(limits: QueryLimits): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, request, operationName }) {
          const { depthError, complexity } = measure(
            schema,
            document,
            limits,
            request.variables ?? {},
            operationName ?? undefined,
          );
          if (depthError) {
            throw refusal('QUERY_TOO_DEEP', depthError, { maxDepth: limits.maxDepth });
          }
          if (complexity > limits.maxComplexity) {
            throw refusal(
              'QUERY_TOO_COMPLEX',
              `query complexity ${complexity} exceeds the limit of ${limits.maxComplexity}; ask for smaller pages or fewer fields`,
              { complexity, maxComplexity: limits.maxComplexity },
            );
          }
        },
      };
    },
  };
}
