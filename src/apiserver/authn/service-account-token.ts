// Service account tokens: JWTs signed RS256 with the service account key, carrying the claims
// Kubernetes sets (iss, sub, aud, exp, iat, nbf, jti and the `kubernetes.io` claim). Verifying
// checks signature, issuer, audience and times; the bound objects are checked by the caller.
import { createHash, createPrivateKey, createPublicKey, randomUUID, type KeyObject } from 'node:crypto';
import { realClock, type Clock } from '../../apimachinery/clock.js';
import { generateServiceAccountKey } from '../pki/service-account-key.js';
import { TokenCache } from './token-cache.js';

/** The issuer and default audience, as k3s configures kube-apiserver. */
export const DEFAULT_ISSUER = 'https://kubernetes.default.svc.cluster.local';

export interface BoundObject { name: string; uid: string }

/** The private `kubernetes.io` claim. */
export interface KubernetesClaim {
  namespace: string;
  serviceaccount: BoundObject;
  pod?: BoundObject;
  secret?: BoundObject;
  node?: { name: string; uid?: string };
}

export interface ServiceAccountTokenClaims {
  iss: string;
  sub: string;
  aud: string[];
  exp: number;
  iat: number;
  nbf: number;
  jti?: string;
  'kubernetes.io': KubernetesClaim;
}

export interface ServiceAccountTokenOptions {
  /** PKCS#8 (or PKCS#1) PEM of the RSA signing key; without one an in-memory key is made on first use. */
  signingKey?: string;
  /** Further public keys (PEM) whose tokens are accepted, e.g. a previous signing key. */
  publicKeys?: string[];
  issuer?: string;
  /** Audiences this server accepts and gives tokens by default (default: the issuer). */
  audiences?: string[];
  clock?: Clock;
}

export const serviceAccountUser = (namespace: string, name: string) => `system:serviceaccount:${namespace}:${name}`;

/** Key ID as Kubernetes derives it: base64url of the sha256 of the public key's DER SPKI. */
export function keyID(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ format: 'der', type: 'spki' })).digest('base64url');
}

interface Keys { signing: KeyObject; kid: string; verifying: { kid: string; key: KeyObject }[] }

type Jose = typeof import('jose');
let jose: Promise<Jose> | undefined;
const loadJose = () => (jose ??= import('jose'));

export class ServiceAccountTokens {
  readonly issuer: string;
  readonly audiences: string[];
  private readonly clock: Clock;
  private keys?: Promise<Keys>;
  private readonly verified = new TokenCache<ServiceAccountTokenClaims>();

  constructor(private readonly opts: ServiceAccountTokenOptions = {}) {
    this.issuer = opts.issuer ?? DEFAULT_ISSUER;
    this.audiences = opts.audiences?.length ? [...opts.audiences] : [this.issuer];
    this.clock = opts.clock ?? realClock;
  }

  private loadKeys(): Promise<Keys> {
    this.keys ??= (async () => {
      const pem = this.opts.signingKey ?? (await generateServiceAccountKey()).privateKey;
      const signing = createPrivateKey(pem);
      const pub = createPublicKey(signing);
      const verifying = [pub, ...(this.opts.publicKeys ?? []).map((p) => createPublicKey(p))].map((key) => ({ kid: keyID(key), key }));
      return { signing, kid: keyID(pub), verifying };
    })();
    return this.keys;
  }

  /** A signed token for the claim, valid from now for `expirationSeconds`. */
  async issue(claim: KubernetesClaim, audiences: string[], expirationSeconds: number): Promise<{ token: string; expiresAt: number; claims: ServiceAccountTokenClaims }> {
    const [{ SignJWT }, keys] = await Promise.all([loadJose(), this.loadKeys()]);
    const now = Math.floor(this.clock.now() / 1000);
    const claims: ServiceAccountTokenClaims = {
      iss: this.issuer,
      sub: serviceAccountUser(claim.namespace, claim.serviceaccount.name),
      aud: [...audiences],
      exp: now + expirationSeconds,
      iat: now,
      nbf: now,
      jti: randomUUID(),
      'kubernetes.io': claim,
    };
    const token = await new SignJWT({ ...claims }).setProtectedHeader({ alg: 'RS256', kid: keys.kid }).sign(keys.signing);
    return { token, expiresAt: claims.exp * 1000, claims };
  }

  /**
   * The claims of a token this server signed for one of its audiences, not expired; undefined
   * for anything else. Results are cached by token hash until the token's expiry.
   */
  async verify(token: string): Promise<ServiceAccountTokenClaims | undefined> {
    const nowMs = this.clock.now();
    const cached = this.verified.get(token, nowMs);
    if (cached) return cached;
    if (token.split('.').length !== 3) return undefined;
    const [{ jwtVerify, decodeProtectedHeader }, keys] = await Promise.all([loadJose(), this.loadKeys()]);
    let kid: string | undefined;
    try {
      const header = decodeProtectedHeader(token);
      if (header.alg !== 'RS256') return undefined;
      kid = header.kid;
    } catch {
      return undefined;
    }
    const candidates = keys.verifying.filter((k) => !kid || k.kid === kid);
    for (const { key } of candidates.length ? candidates : keys.verifying) {
      try {
        const { payload } = await jwtVerify(token, key, {
          issuer: this.issuer, audience: this.audiences, algorithms: ['RS256'],
          currentDate: new Date(nowMs), requiredClaims: ['exp', 'sub'],
        });
        const claims = normalize(payload);
        if (!claims) return undefined;
        this.verified.set(token, claims, claims.exp * 1000, nowMs);
        return claims;
      } catch {
        // try the next key
      }
    }
    return undefined;
  }
}

function isBound(v: unknown): v is BoundObject {
  const o = v as BoundObject | undefined;
  return typeof o?.name === 'string' && typeof o.uid === 'string';
}

/** Only tokens with a well-formed `kubernetes.io` claim matching `sub` are service account tokens. */
function normalize(payload: Record<string, unknown>): ServiceAccountTokenClaims | undefined {
  const k = payload['kubernetes.io'] as KubernetesClaim | undefined;
  if (!k || typeof k.namespace !== 'string' || !isBound(k.serviceaccount)) return undefined;
  if (k.pod !== undefined && !isBound(k.pod)) return undefined;
  if (k.secret !== undefined && !isBound(k.secret)) return undefined;
  if (payload.sub !== serviceAccountUser(k.namespace, k.serviceaccount.name)) return undefined;
  const aud = typeof payload.aud === 'string' ? [payload.aud] : Array.isArray(payload.aud) ? payload.aud as string[] : [];
  return {
    iss: String(payload.iss), sub: payload.sub, aud,
    exp: Number(payload.exp), iat: Number(payload.iat ?? 0), nbf: Number(payload.nbf ?? 0),
    ...(typeof payload.jti === 'string' ? { jti: payload.jti } : {}),
    'kubernetes.io': k,
  };
}
