// A real HTTPS admission webhook on 127.0.0.1 for tests: its own CA (given back as a caBundle), a
// serving certificate for the names asked for, and a handler from AdmissionReview request to
// response fields.
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createCertificateAuthority, issueCertificate } from '../../pki/certificates.js';

export interface ReviewRequest {
  uid: string;
  operation: string;
  name: string;
  namespace?: string;
  subResource?: string;
  kind: { group: string; version: string; kind: string };
  resource: { group: string; version: string; resource: string };
  requestKind: { group: string; version: string; kind: string };
  object?: { metadata?: { labels?: Record<string, string>; name?: string } } & Record<string, unknown>;
  oldObject?: Record<string, unknown> | null;
  dryRun: boolean;
  options?: Record<string, unknown>;
  userInfo: { username: string; groups?: string[] };
}

export type ReviewHandler = (req: ReviewRequest, path: string) => Record<string, unknown> | Promise<Record<string, unknown>>;

export interface TestWebhookServer {
  port: number;
  caBundle: string;
  url(path: string): string;
  /** Every request received, in order. */
  requests: { path: string; review: ReviewRequest }[];
  close(): Promise<void>;
}

export async function startTestWebhookServer(handler: ReviewHandler, names: { dnsNames?: string[] } = {}): Promise<TestWebhookServer> {
  const ca = await createCertificateAuthority('webhook-test-ca');
  const leaf = await issueCertificate(ca, { commonName: 'webhook', usage: 'server', dnsNames: names.dnsNames, ips: ['127.0.0.1'] });
  const requests: TestWebhookServer['requests'] = [];
  const server = createServer({ cert: leaf.cert, key: leaf.key }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const review = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { apiVersion: string; request: ReviewRequest };
        const path = req.url ?? '/';
        requests.push({ path, review: review.request });
        const fields = await handler(review.request, path);
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify({ apiVersion: review.apiVersion, kind: 'AdmissionReview', response: { uid: review.request.uid, ...fields } }));
      })().catch(() => { res.statusCode = 500; res.end(); });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    caBundle: Buffer.from(ca.caCert).toString('base64'),
    url: (path) => `https://127.0.0.1:${port}${path}`,
    requests,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/** A JSON patch as a webhook answers it: base64 of the operations. */
export function jsonPatchResponse(ops: unknown[]): Record<string, unknown> {
  return { allowed: true, patchType: 'JSONPatch', patch: Buffer.from(JSON.stringify(ops)).toString('base64') };
}
