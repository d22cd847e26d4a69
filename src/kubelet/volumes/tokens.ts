// Service account tokens for projected volumes: requested through the TokenRequest API
// (POST serviceaccounts/<name>/token, bound to the pod), cached, and renewed once 80% of their
// lifetime has passed or they are older than 24 hours, as the kubelet's token manager does.
import type { TokenRequest } from 'kubernetes-types/authentication/v1.js';
import type { ApiClient } from '../../client/rest.js';

/** Issues a token for a service account (the API's `token` subresource, or a fake in tests). */
export interface TokenSource {
  request(namespace: string, serviceAccount: string, req: TokenRequest): Promise<TokenRequest>;
}

export function apiTokenSource(client: ApiClient): TokenSource {
  return {
    request: (namespace, serviceAccount, req) =>
      client.kind('v1', 'ServiceAccount').subresource<TokenRequest>('POST', namespace, serviceAccount, 'token', req),
  };
}

export interface TokenParams {
  namespace: string;
  serviceAccount: string;
  audiences: string[];
  expirationSeconds: number;
  pod: { name: string; uid: string };
}

interface Cached {
  token: string;
  issuedAt: number;
  expiresAt: number;
}

const MAX_AGE_MS = 24 * 60 * 60 * 1000;

function keyOf(p: TokenParams): string {
  return JSON.stringify([p.namespace, p.serviceAccount, p.audiences, p.expirationSeconds, p.pod.uid]);
}

export class TokenCache {
  private readonly cache = new Map<string, Cached>();

  constructor(private readonly source: TokenSource, private readonly now: () => number) {}

  /** When the token must be renewed: 80% of its lifetime, and at most 24 hours after issue. */
  static refreshAt(c: Cached): number {
    return Math.min(c.issuedAt + 0.8 * (c.expiresAt - c.issuedAt), c.issuedAt + MAX_AGE_MS);
  }

  /** A valid token; a renewal that fails keeps serving the old token until it expires. */
  async get(p: TokenParams): Promise<string> {
    const key = keyOf(p);
    const cached = this.cache.get(key);
    const now = this.now();
    if (cached && now < TokenCache.refreshAt(cached)) return cached.token;
    try {
      const res = await this.source.request(p.namespace, p.serviceAccount, {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        spec: {
          audiences: p.audiences,
          expirationSeconds: p.expirationSeconds,
          boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: p.pod.name, uid: p.pod.uid },
        },
      });
      const token = res.status?.token;
      if (!token) throw new Error(`TokenRequest for ${p.namespace}/${p.serviceAccount} returned no token`);
      // The lifetime the server granted (it may shorten the request), measured on our clock.
      const ttl = res.spec?.expirationSeconds ?? p.expirationSeconds;
      this.cache.set(key, { token, issuedAt: now, expiresAt: now + ttl * 1000 });
      return token;
    } catch (e) {
      if (cached && now < cached.expiresAt) return cached.token;
      throw new Error(`failed to fetch token: ${(e as Error).message}`);
    }
  }

  /** The earliest renewal time among the cached tokens of a pod, if any. */
  nextRefresh(podUid: string): number | undefined {
    let next: number | undefined;
    for (const [key, c] of this.cache) {
      if ((JSON.parse(key) as unknown[])[4] !== podUid) continue;
      const at = TokenCache.refreshAt(c);
      if (next === undefined || at < next) next = at;
    }
    return next;
  }

  forgetPod(podUid: string): void {
    for (const key of [...this.cache.keys()]) if ((JSON.parse(key) as unknown[])[4] === podUid) this.cache.delete(key);
  }
}
