// An agent's node credentials. On first start it fetches the cluster CA from `/cacerts`, checks
// it against the hash the join token carries (k3s' `K10<sha256>::node:<secret>`), and trades the
// token once (with certificate signing requests for keys made here) for a client certificate (`system:node:<name>`, group `system:nodes`) and a
// serving certificate for its HTTPS endpoint. They are kept under
// `<data-dir>/agent/credentials` (files 0600, directory 0700) with a node kubeconfig, so later
// starts need no token.
import { KeyObject, X509Certificate, createPrivateKey, webcrypto } from 'node:crypto';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import type { Logger } from '../apimachinery/log.js';
import { ensurePrivateDir, readIfExists, writeFileAtomic } from '../apiserver/pki/files.js';
import { renderKubeconfig } from '../apiserver/pki/kubeconfig.js';
import { caCertificateHash, parseNodeToken } from '../apiserver/pki/node-token.js';

export const CACERTS_PATH = '/cacerts';
export const NODE_CREDENTIALS_PATH = '/v1-kite/node-credentials';

/** Credentials this close to expiry are asked for again (which needs the token). */
const renewBeforeMs = 7 * 24 * 60 * 60 * 1000;
const requestTimeoutMs = 15_000;

export interface AgentCredentials {
  nodeName: string;
  caCert: string;
  clientCert: string;
  clientKey: string;
  servingCert: string;
  servingKey: string;
}

export class CredentialsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CredentialsError';
  }
}

export function credentialFiles(dir: string) {
  return {
    caCert: join(dir, 'ca.crt'),
    clientCert: join(dir, 'client.crt'),
    clientKey: join(dir, 'client.key'),
    servingCert: join(dir, 'serving.crt'),
    servingKey: join(dir, 'serving.key'),
    kubeconfig: join(dir, 'kubeconfig.yaml'),
  };
}

/** The node a client certificate names (`CN=system:node:<name>`), or undefined. */
export function nodeNameOf(certPem: string): string | undefined {
  try {
    const cn = /(?:^|\n)CN=([^\n]*)/.exec(new X509Certificate(certPem).subject)?.[1];
    return cn?.startsWith('system:node:') ? cn.slice('system:node:'.length) : undefined;
  } catch {
    return undefined;
  }
}

function expiresSoon(certPem: string, now: number): boolean {
  try {
    return Date.parse(new X509Certificate(certPem).validTo) - now < renewBeforeMs;
  } catch {
    return true;
  }
}

/** The stored credentials, or undefined when any file is missing. */
export async function loadAgentCredentials(dir: string): Promise<AgentCredentials | undefined> {
  const f = credentialFiles(dir);
  const [caCert, clientCert, clientKey, servingCert, servingKey] = await Promise.all(
    [f.caCert, f.clientCert, f.clientKey, f.servingCert, f.servingKey].map((p) => readIfExists(p)),
  );
  if (!caCert || !clientCert || !clientKey || !servingCert || !servingKey) return undefined;
  const nodeName = nodeNameOf(clientCert);
  if (!nodeName) return undefined;
  return { nodeName, caCert, clientCert, clientKey, servingCert, servingKey };
}

async function storeAgentCredentials(dir: string, server: string, creds: AgentCredentials): Promise<void> {
  await ensurePrivateDir(dir);
  const f = credentialFiles(dir);
  await Promise.all([
    writeFileAtomic(f.caCert, creds.caCert, 0o600),
    writeFileAtomic(f.clientCert, creds.clientCert, 0o600),
    writeFileAtomic(f.clientKey, creds.clientKey, 0o600),
    writeFileAtomic(f.servingCert, creds.servingCert, 0o600),
    writeFileAtomic(f.servingKey, creds.servingKey, 0o600),
  ]);
  await writeNodeKubeconfig(dir, server, creds);
}

async function writeNodeKubeconfig(dir: string, server: string, creds: AgentCredentials): Promise<void> {
  const text = renderKubeconfig({ server, caCert: creds.caCert, clientCert: creds.clientCert, clientKey: creds.clientKey, name: 'kite-node' });
  const path = credentialFiles(dir).kubeconfig;
  if ((await readIfExists(path)) !== text) await writeFileAtomic(path, text, 0o600);
}

interface HttpAnswer { status: number; body: string }

function call(server: URL, opts: { method: string; path: string; ca?: string; headers?: Record<string, string>; body?: string }): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest({
      protocol: 'https:',
      hostname: server.hostname.replace(/^\[|\]$/g, ''),
      port: Number(server.port || 443),
      method: opts.method,
      path: opts.path,
      headers: opts.headers,
      // Without a CA the answer is trusted only after its hash matched the token's.
      ...(opts.ca ? { ca: opts.ca } : { rejectUnauthorized: false }),
      timeout: requestTimeoutMs,
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${server.origin} within ${requestTimeoutMs / 1000}s`)));
    req.on('error', (err) => reject(new CredentialsError(`cannot reach ${server.origin}${opts.path}: ${err.message}`)));
    req.end(opts.body);
  });
}

/** The cluster CA from `/cacerts`, refused unless its sha256 is `expectedHash` (when given). */
export async function fetchClusterCA(server: URL, expectedHash: string | undefined): Promise<string> {
  const res = await call(server, { method: 'GET', path: CACERTS_PATH });
  if (res.status !== 200) throw new CredentialsError(`${server.origin}${CACERTS_PATH} answered ${res.status}; is this a Kite server?`);
  const got = caCertificateHash(res.body);
  if (expectedHash !== undefined && got !== expectedHash) {
    throw new CredentialsError(
      `the CA certificate ${server.origin} presents (sha256 ${got}) is not the one the token names (sha256 ${expectedHash}): `
      + 'refusing to join. Check --server, or take the token again from <data-dir>/server/node-token on the server',
    );
  }
  return res.body;
}

interface CredentialsAnswer { kind?: string; caCert?: string; clientCert?: string; servingCert?: string }

/** A new ECDSA P-256 key (PKCS#8 PEM) and a certificate signing request for it. */
export async function keyAndCSR(commonName: string): Promise<{ key: string; csr: string }> {
  const { x509 } = await import('../apiserver/pki/x509.js');
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({ name: `CN=${commonName}`, keys, signingAlgorithm: algorithm });
  return { key: KeyObject.from(keys.privateKey).export({ format: 'pem', type: 'pkcs8' }).toString(), csr: csr.toString('pem') };
}

/** Trades the join token for this node's certificates; the private keys are made here and never sent. */
export async function requestNodeCredentials(server: URL, caCert: string, token: string, nodeName: string, addresses: string[]): Promise<AgentCredentials> {
  const [client, serving] = await Promise.all([keyAndCSR(`system:node:${nodeName}`), keyAndCSR(`system:node:${nodeName}`)]);
  const res = await call(server, {
    method: 'POST',
    path: NODE_CREDENTIALS_PATH,
    ca: caCert,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ nodeName, addresses, clientCSR: client.csr, servingCSR: serving.csr }),
  });
  if (res.status === 401 || res.status === 403) {
    throw new CredentialsError(`${server.origin} refused the token (${res.status}); take it again from <data-dir>/server/node-token on the server`);
  }
  if (res.status !== 200) throw new CredentialsError(`${server.origin}${NODE_CREDENTIALS_PATH} answered ${res.status}: ${res.body.slice(0, 300)}`);
  let answer: CredentialsAnswer;
  try {
    answer = JSON.parse(res.body) as CredentialsAnswer;
  } catch {
    throw new CredentialsError(`${server.origin}${NODE_CREDENTIALS_PATH} answered something other than JSON`);
  }
  const { clientCert, servingCert } = answer;
  if (!clientCert || !servingCert) throw new CredentialsError(`${server.origin} answered incomplete node credentials`);
  if (answer.caCert !== undefined && answer.caCert !== caCert) throw new CredentialsError(`${server.origin} answered a CA other than the one it presents at ${CACERTS_PATH}`);
  for (const [cert, key] of [[clientCert, client.key], [servingCert, serving.key]] as const) {
    if (!new X509Certificate(cert).checkPrivateKey(createPrivateKey(key))) throw new CredentialsError(`${server.origin} answered a certificate for a key other than ours`);
  }
  return { nodeName, caCert, clientCert, clientKey: client.key, servingCert, servingKey: serving.key };
}

export interface EnsureCredentialsOptions {
  /** `agentPaths(dataDir).credentials` */
  dir: string;
  /** `https://host:port` of the API server. */
  server: string;
  /** The join token; needed only when there are no usable stored credentials. */
  token?: string;
  nodeName: string;
  /** IPs and names the serving certificate should cover. */
  addresses: string[];
  logger: Logger;
  now?: () => number;
}

/** Stored credentials when they fit this node; otherwise new ones obtained with the token. */
export async function ensureAgentCredentials(opts: EnsureCredentialsOptions): Promise<AgentCredentials> {
  const server = new URL(opts.server);
  const now = (opts.now ?? Date.now)();
  const stored = await loadAgentCredentials(opts.dir);
  if (stored && stored.nodeName === opts.nodeName && !expiresSoon(stored.clientCert, now) && !expiresSoon(stored.servingCert, now)) {
    await writeNodeKubeconfig(opts.dir, opts.server, stored);
    opts.logger.info(`using the node credentials in ${opts.dir}`);
    return stored;
  }
  const why = !stored ? 'no node credentials yet'
    : stored.nodeName !== opts.nodeName ? `the stored credentials are for node ${stored.nodeName}`
      : 'the stored credentials expire soon';
  if (opts.token === undefined || opts.token.trim() === '') {
    throw new CredentialsError(`${why} in ${opts.dir}; pass --token (from <data-dir>/server/node-token on the server) to obtain them`);
  }
  const token = parseNodeToken(opts.token);
  if (!token) throw new CredentialsError('--token is not a node token (K10<sha256>::node:<secret>, or node:<secret>)');
  if (!token.caHash) opts.logger.warn(`the token carries no CA hash, so the CA of ${server.origin} is trusted on first use`);
  const caCert = await fetchClusterCA(server, token.caHash);
  const creds = await requestNodeCredentials(server, caCert, opts.token.trim(), opts.nodeName, opts.addresses);
  await storeAgentCredentials(opts.dir, opts.server, creds);
  opts.logger.info(`${why}: obtained them from ${server.origin} for node ${opts.nodeName}, kept in ${opts.dir}`);
  return creds;
}
