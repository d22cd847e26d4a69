// Everything one REST request carries through the handlers.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestInfo } from '../request-info.js';
import type { ResourceStore } from '../registry/store.js';
import type { RequestContext, UserInfo } from '../registry/strategy.js';
import type { Registry } from '../registry/registry.js';
import type { Clock } from '../../apimachinery/clock.js';
import type { ServiceAccountTokens } from '../authn/service-account-token.js';
import { managerFromUserAgent } from '../fieldmanager.js';

export interface RestRequest {
  req: IncomingMessage;
  res: ServerResponse;
  info: RequestInfo;
  query: URLSearchParams;
  store: ResourceStore;
  registry: Registry;
  user: UserInfo;
  clock: Clock;
  /** Lines for `Warning: 299 - "…"` response headers. */
  warnings: string[];
  /** Issues service account tokens (serviceaccounts/token). */
  serviceAccountTokens?: ServiceAccountTokens;
}

export function requestContext(r: RestRequest, dryRun: boolean, fieldManager?: string): RequestContext {
  const manager = fieldManager ?? managerFromUserAgent(r.req.headers['user-agent']);
  return { user: r.user, now: r.clock.now(), dryRun, fieldManager: manager, warnings: r.warnings };
}

export function warningHeaders(warnings: string[]): Record<string, string> {
  if (!warnings.length) return {};
  return { Warning: warnings.map((w) => `299 - ${JSON.stringify(w)}`).join(', ') };
}
