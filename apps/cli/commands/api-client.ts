import { createClient, type Client as WsClient } from 'graphql-ws';
import WebSocket from 'ws';

/** An error the API answered (its code, e.g. NOT_FOUND), or one reaching it. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

export interface ApiClientOptions {
  /** The API's base URL (`http://host:4000`) or its GraphQL endpoint (`…/graphql`). */
  server: string;
  /** An API key (or a sign-in token), sent as a bearer token. */
  token: string | undefined;
}

type Errors = Array<{ message: string; extensions?: { code?: string } }>;

function firstError(errors: Errors): ApiError {
  const e = errors[0];
  return new ApiError(e.message, e.extensions?.code ?? 'ERROR');
}

/** GraphQL over HTTP for requests, graphql-ws for subscriptions: what `perimeter --server` uses. */
export class ApiClient {
  readonly graphqlUrl: string;
  private ws: WsClient | undefined;

  constructor(private readonly opts: ApiClientOptions) {
    let url: URL;
    try {
      url = new URL(opts.server);
    } catch {
      throw new ApiError(`--server: not a URL: ${opts.server}`, 'USAGE');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new ApiError(`--server: expected an http(s) URL, got ${url.protocol}`, 'USAGE');
    }
    if (!url.pathname.endsWith('/graphql')) url.pathname = url.pathname.replace(/\/?$/, '/graphql');
    this.graphqlUrl = url.toString();
  }

  async request<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    let res: Response;
    try {
      res = await fetch(this.graphqlUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(this.opts.token ? { authorization: `Bearer ${this.opts.token}` } : {}),
        },
        body: JSON.stringify({ query, variables }),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (err) {
      throw new ApiError(
        `cannot reach ${this.graphqlUrl}: ${(err as Error).message}`,
        'UNREACHABLE',
      );
    }
    let body: { data?: T; errors?: Errors };
    try {
      body = (await res.json()) as typeof body;
    } catch {
      throw new ApiError(`${this.graphqlUrl} answered HTTP ${res.status}, not GraphQL`, 'HTTP');
    }
    if (body.errors?.length) throw firstError(body.errors);
    if (!body.data) throw new ApiError(`empty answer (HTTP ${res.status})`, 'HTTP');
    return body.data;
  }

  /** Calls `next` with each value until the subscription completes; rejects on its errors. */
  subscribe<T>(
    query: string,
    variables: Record<string, unknown>,
    next: (data: T) => void,
  ): Promise<void> {
    this.ws ??= createClient({
      url: this.graphqlUrl.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: this.opts.token ? { authorization: `Bearer ${this.opts.token}` } : {},
      retryAttempts: 3,
    });
    const ws = this.ws;
    return new Promise((resolve, reject) => {
      ws.subscribe<T>(
        { query, variables },
        {
          next: (value) => {
            if (value.errors?.length) reject(firstError(value.errors as Errors));
            else if (value.data) next(value.data);
          },
          error: (err) =>
            reject(
              Array.isArray(err)
                ? firstError(err as Errors)
                : new ApiError(
                    (err as { reason?: string }).reason ||
                      (err as Error).message ||
                      'the subscription was refused (check --token)',
                    'SUBSCRIPTION',
                  ),
            ),
          complete: resolve,
        },
      );
    });
  }

  async close(): Promise<void> {
    await this.ws?.dispose();
  }

  /** The organisation to act on: given by id or slug, or the only one the token can see. */
  async organisationId(given: string | undefined): Promise<string> {
    const { organisations } = await this.request<{
      organisations: Array<{ id: string; slug: string }>;
    }>('{ organisations { id slug } }');
    if (given) {
      const match = organisations.find((o) => o.id === given || o.slug === given);
      if (!match) throw new ApiError(`no organisation ${given} for this token`, 'NOT_FOUND');
      return match.id;
    }
    if (organisations.length === 1) return organisations[0].id;
    throw new ApiError(
      organisations.length
        ? `this token sees ${organisations.length} organisations: pass --organisation <slug|id> (${organisations.map((o) => o.slug).join(', ')})`
        : 'this token sees no organisation',
      'USAGE',
    );
  }
}
