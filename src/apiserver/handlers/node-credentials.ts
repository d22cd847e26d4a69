// The endpoints a joining node uses before it has any credential of its own:
// - `GET /cacerts` answers the cluster CA (PEM) to anyone, so an agent can compare it with the
//   hash in its join token (as k3s' /cacerts);
// - `POST /v1-kite/node-credentials` with `Authorization: Bearer <node token>` answers a client
//   certificate (`CN=system:node:<name>, O=system:nodes`) and a serving certificate for the
//   kubelet's HTTPS endpoint, both signed by the cluster CA, plus the CA itself.
// Request body (JSON): `{ nodeName, addresses?: string[], clientCSR?: PEM, servingCSR?: PEM }`.
// With a CSR the certificate is for the CSR's key and no key is returned; without one the server
// makes the key pair and returns it (`clientKey` / `servingKey`, PKCS#8 PEM).
// Response: `{ kind: 'NodeCredentials', caCert, clientCert, clientKey?, servingCert, servingKey? }`.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import { badRequest, methodNotAllowed, unauthorized } from '../../apimachinery/status.js';
import { isDNS1123Subdomain } from '../../apimachinery/validation.js';
import { readBody, decodeJSON } from '../body.js';
import { writeObject, writeText } from '../response.js';
import { bearerToken } from '../authn/authenticator.js';
import { nodeTokenMatches } from '../pki/node-token.js';
import { issueCertificate, issueCertificateForKey, type CertificateAuthority, type LeafCertificateOptions } from '../pki/certificates.js';
import { InvalidCSRError, publicKeyFromCSR } from '../pki/csr.js';

export const CACERTS_PATH = '/cacerts';
export const NODE_CREDENTIALS_PATH = '/v1-kite/node-credentials';
export const NODES_GROUP = 'system:nodes';
export const nodeUser = (nodeName: string) => `system:node:${nodeName}`;

const MAX_REQUEST_BYTES = 64 * 1024;
const NODE_CERT_VALIDITY_DAYS = 365;

export interface NodeIdentityOptions {
  /** The cluster CA (PEM certificate and key) that signs node certificates. */
  ca: CertificateAuthority;
  /** The node join token (full `K10…::node:<secret>` form or its `node:<secret>` part). */
  nodeToken?: string;
}

interface NodeCredentialsRequest {
  nodeName?: unknown;
  addresses?: unknown;
  clientCSR?: unknown;
  servingCSR?: unknown;
}

function stringField(v: unknown, field: string): string | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw badRequest(`${field} must be a string`);
  return v;
}

function splitAddresses(v: unknown): { dnsNames: string[]; ips: string[] } {
  if (v === undefined || v === null) return { dnsNames: [], ips: [] };
  if (!Array.isArray(v)) throw badRequest('addresses must be a list of IP addresses and host names');
  const dnsNames: string[] = [];
  const ips: string[] = [];
  for (const a of v) {
    if (typeof a !== 'string') throw badRequest('addresses must be a list of IP addresses and host names');
    if (isIP(a)) ips.push(a);
    else if (isDNS1123Subdomain(a.toLowerCase()).length === 0) dnsNames.push(a.toLowerCase());
    else throw badRequest(`address "${a}" is neither an IP address nor a DNS name`);
  }
  return { dnsNames, ips };
}

async function issue(ca: CertificateAuthority, opts: LeafCertificateOptions, csr: string | undefined): Promise<{ cert: string; key?: string }> {
  if (!csr) return issueCertificate(ca, opts);
  try {
    return { cert: await issueCertificateForKey(ca, opts, await publicKeyFromCSR(csr)) };
  } catch (e) {
    if (e instanceof InvalidCSRError) throw badRequest(e.message);
    throw e;
  }
}

async function issueNodeCredentials(req: IncomingMessage, res: ServerResponse, opts: NodeIdentityOptions): Promise<void> {
  if (req.method !== 'POST') throw methodNotAllowed();
  const presented = bearerToken(req);
  if (!opts.nodeToken || !presented || !nodeTokenMatches(opts.nodeToken, presented)) throw unauthorized();
  const body = decodeJSON(await readBody(req, MAX_REQUEST_BYTES)) as NodeCredentialsRequest | null;
  if (!body || typeof body !== 'object') throw badRequest('the body must be a JSON object');
  const nodeName = stringField(body.nodeName, 'nodeName');
  if (!nodeName) throw badRequest('nodeName is required');
  const nameErrors = isDNS1123Subdomain(nodeName);
  if (nameErrors.length) throw badRequest(`invalid nodeName "${nodeName}": ${nameErrors.join(', ')}`);
  const { dnsNames, ips } = splitAddresses(body.addresses);
  const identity = { commonName: nodeUser(nodeName), organizations: [NODES_GROUP], validityDays: NODE_CERT_VALIDITY_DAYS };
  const [client, serving] = await Promise.all([
    issue(opts.ca, { ...identity, usage: 'client' }, stringField(body.clientCSR, 'clientCSR')),
    issue(opts.ca, { ...identity, usage: 'server', dnsNames: [...new Set([nodeName, ...dnsNames])], ips: [...new Set(ips)] }, stringField(body.servingCSR, 'servingCSR')),
  ]);
  writeObject(res, 200, {
    kind: 'NodeCredentials',
    caCert: opts.ca.caCert,
    clientCert: client.cert,
    ...(client.key ? { clientKey: client.key } : {}),
    servingCert: serving.cert,
    ...(serving.key ? { servingKey: serving.key } : {}),
  });
}

/**
 * Serves the identity endpoints that need no client certificate; false for any other path.
 * `caCert` is what /cacerts answers; node credentials need `node` (404 without it).
 */
export async function serveNodeIdentity(req: IncomingMessage, res: ServerResponse, path: string, caCert: string, node?: NodeIdentityOptions): Promise<boolean> {
  if (path === CACERTS_PATH) {
    if (req.method !== 'GET' && req.method !== 'HEAD') throw methodNotAllowed();
    writeText(res, 200, caCert, 'application/x-pem-file');
    return true;
  }
  if (path === NODE_CREDENTIALS_PATH && node) {
    await issueNodeCredentials(req, res, node);
    return true;
  }
  return false;
}
