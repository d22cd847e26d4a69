// Who sent a request: the client certificate of its TLS connection (CN = user, O = groups), or
// else a service account token in `Authorization: Bearer …` (or, for WebSocket clients that
// cannot set headers, the `base64url.bearer.authorization.k8s.io.…` subprotocol).
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { StatusError, unauthorized } from '../../apimachinery/status.js';
import type { Clock } from '../../apimachinery/clock.js';
import type { KubeObject } from '../../apimachinery/object.js';
import { identityFromSocket } from '../pki/identity.js';
import type { Registry } from '../registry/registry.js';
import type { UserInfo } from '../registry/strategy.js';
import { serviceAccountUser, type BoundObject, type ServiceAccountTokenClaims, type ServiceAccountTokens } from './service-account-token.js';

export const AUTHENTICATED_GROUP = 'system:authenticated';
export const SERVICE_ACCOUNTS_GROUP = 'system:serviceaccounts';
const WEBSOCKET_BEARER_PREFIX = 'base64url.bearer.authorization.k8s.io.';
/** A pod or secret being deleted keeps its tokens valid this long, as Kubernetes allows. */
const DELETION_GRACE_MS = 60_000;

/** The bearer token of a request, from its Authorization header or WebSocket subprotocols. */
export function bearerToken(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization?.trim();
  if (auth) {
    const [scheme, token, ...extra] = auth.split(/\s+/);
    if (scheme?.toLowerCase() === 'bearer' && token && extra.length === 0) return token;
    return undefined;
  }
  const protocols = req.headers['sec-websocket-protocol'];
  if (typeof protocols === 'string') {
    for (const p of protocols.split(',').map((s) => s.trim())) {
      if (!p.startsWith(WEBSOCKET_BEARER_PREFIX)) continue;
      try {
        const token = Buffer.from(p.slice(WEBSOCKET_BEARER_PREFIX.length), 'base64url').toString('utf8');
        if (token) return token;
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

export class RequestAuthenticator {
  /** Identities by connection: a TLS session's client certificate cannot change, so parse it once. */
  private readonly connections = new WeakMap<object, UserInfo | null>();

  constructor(private readonly registry: Registry, readonly tokens: ServiceAccountTokens, private readonly clock: Clock) {}

  /** Every request on `connection` is made as `user` (in-process connections). */
  bindConnection(connection: object, user: UserInfo): void {
    this.connections.set(connection, user);
  }

  /** The request's user; throws 401 Unauthorized when it has no valid credential. */
  async authenticate(req: IncomingMessage): Promise<UserInfo> {
    let user = this.connections.get(req.socket);
    if (user === undefined) {
      const id = identityFromSocket(req.socket as TLSSocket);
      user = id ? { name: id.user, groups: [...id.groups, AUTHENTICATED_GROUP] } : null;
      this.connections.set(req.socket, user);
    }
    if (user) return user;
    const token = bearerToken(req);
    if (token) {
      const fromToken = await this.authenticateToken(token);
      if (fromToken) return fromToken;
    }
    throw unauthorized();
  }

  /** The service account a token names, when it verifies and its objects still exist as bound. */
  async authenticateToken(token: string): Promise<UserInfo | undefined> {
    const claims = await this.tokens.verify(token);
    if (!claims || !(await this.boundObjectsExist(claims))) return undefined;
    const { namespace, serviceaccount } = claims['kubernetes.io'];
    return {
      name: serviceAccountUser(namespace, serviceaccount.name),
      groups: [SERVICE_ACCOUNTS_GROUP, `${SERVICE_ACCOUNTS_GROUP}:${namespace}`, AUTHENTICATED_GROUP],
    };
  }

  private async boundObjectsExist(claims: ServiceAccountTokenClaims): Promise<boolean> {
    const k = claims['kubernetes.io'];
    const now = this.clock.now();
    const checks: Promise<boolean>[] = [this.exists('serviceaccounts', k.namespace, k.serviceaccount, now, 0)];
    if (k.pod) checks.push(this.exists('pods', k.namespace, k.pod, now, DELETION_GRACE_MS));
    if (k.secret) checks.push(this.exists('secrets', k.namespace, k.secret, now, DELETION_GRACE_MS));
    return (await Promise.all(checks)).every(Boolean);
  }

  /** Whether the object exists with the bound uid and is not (for longer than `graceMs`) being deleted. */
  private async exists(plural: string, namespace: string, ref: BoundObject, now: number, graceMs: number): Promise<boolean> {
    const store = this.registry.lookup('', 'v1', plural);
    if (!store) return false;
    let obj: KubeObject;
    try {
      obj = await store.get(namespace, ref.name);
    } catch (e) {
      if (e instanceof StatusError && e.code === 404) return false;
      throw e;
    }
    if (obj.metadata?.uid !== ref.uid) return false;
    const deleting = obj.metadata?.deletionTimestamp;
    if (deleting && Date.parse(deleting) + graceMs <= now) return false;
    return true;
  }
}
