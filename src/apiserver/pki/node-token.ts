// The node join token, in k3s' format `K10<sha256 hex of the CA PEM>::node:<secret>`: the hash
// lets an agent check the CA it fetched from /cacerts on first contact; the `node:<secret>` part
// is the credential the server checks. The secret persists across restarts; the hash follows the CA.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmod } from 'node:fs/promises';
import { readIfExists, writeFileAtomic } from './files.js';

export const NODE_TOKEN_PREFIX = 'K10';
export const NODE_TOKEN_USER = 'node';

export interface NodeToken {
  /** sha256 hex of the CA certificate PEM, when the token carries it. */
  caHash?: string;
  username: string;
  secret: string;
}

/** sha256 hex of the CA bundle exactly as `GET /cacerts` answers it. */
export function caCertificateHash(caPem: string): string {
  return createHash('sha256').update(caPem, 'utf8').digest('hex');
}

export function formatNodeToken(caPem: string, secret: string, username = NODE_TOKEN_USER): string {
  return `${NODE_TOKEN_PREFIX}${caCertificateHash(caPem)}::${username}:${secret}`;
}

/**
 * Reads a full token (`K10<hash>::user:secret`) or a short one (`user:secret`, or only the
 * secret, whose user is `node`). Undefined when it is malformed.
 */
export function parseNodeToken(token: string): NodeToken | undefined {
  let rest = token.trim();
  let caHash: string | undefined;
  if (rest.startsWith(NODE_TOKEN_PREFIX) && rest.includes('::')) {
    const sep = rest.indexOf('::');
    caHash = rest.slice(NODE_TOKEN_PREFIX.length, sep).toLowerCase();
    if (!/^[0-9a-f]{64}$/.test(caHash)) return undefined;
    rest = rest.slice(sep + 2);
  }
  const colon = rest.indexOf(':');
  const username = colon >= 0 ? rest.slice(0, colon) : NODE_TOKEN_USER;
  const secret = colon >= 0 ? rest.slice(colon + 1) : rest;
  if (!username || !secret || /\s/.test(rest)) return undefined;
  return { ...(caHash ? { caHash } : {}), username, secret };
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

/**
 * Whether `presented` carries the credential of `expected`, compared in constant time. A CA
 * hash in the presented token must name our CA too.
 */
export function nodeTokenMatches(expected: string, presented: string): boolean {
  const want = parseNodeToken(expected);
  const got = parseNodeToken(presented);
  if (!want || !got) return false;
  const same = timingSafeEqual(digest(`${want.username}:${want.secret}`), digest(`${got.username}:${got.secret}`));
  const caOk = !got.caHash || !want.caHash || timingSafeEqual(Buffer.from(got.caHash), Buffer.from(want.caHash));
  return same && caOk;
}

/**
 * Ensures the token file at `path` (mode 0600) and answers the token. An existing secret is
 * kept; the CA hash is brought up to date with `caCert`.
 */
export async function ensureNodeToken(path: string, caCert: string): Promise<string> {
  const existing = parseNodeToken((await readIfExists(path)) ?? '');
  const secret = existing?.secret ?? randomBytes(16).toString('hex');
  const token = formatNodeToken(caCert, secret, existing?.username ?? NODE_TOKEN_USER);
  if ((await readIfExists(path))?.trim() !== token) await writeFileAtomic(path, `${token}\n`, 0o600);
  await chmod(path, 0o600);
  return token;
}
