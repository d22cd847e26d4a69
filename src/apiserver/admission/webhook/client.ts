// Posts an AdmissionReview to a webhook over HTTPS: to a Service's ClusterIP (the node's service
// proxy carries it to an endpoint) with the server name `<service>.<namespace>.svc`, or to a URL;
// caBundle, when given, is the only trust root.
import { request } from 'node:https';
import type { WebhookClientConfig } from 'kubernetes-types/admissionregistration/v1.js';

export interface WebhookTarget {
  /** The URL as Kubernetes reports it in errors (`https://svc.ns.svc:443/path?timeout=10s`). */
  url: string;
  /** Where to connect; for a Service, its ClusterIP. */
  host: string;
  port: number;
  /** TLS server name (SNI and certificate check). */
  serverName: string;
  path: string;
}

/** A failure to get an answer from the webhook (subject to failurePolicy). */
export class WebhookCallError extends Error {}

/** Looks up a Service's ClusterIP; undefined when the Service does not exist. */
export type ServiceResolver = (namespace: string, name: string) => Promise<{ clusterIP?: string } | undefined>;

export async function webhookTarget(cc: WebhookClientConfig, timeoutSeconds: number, resolveService: ServiceResolver): Promise<WebhookTarget> {
  const query = `?timeout=${timeoutSeconds}s`;
  if (cc.url) {
    const u = new URL(cc.url);
    const port = u.port ? Number(u.port) : 443;
    const host = u.hostname.replace(/^\[|\]$/g, '');
    return { url: `${cc.url}${query}`, host, port, serverName: host, path: `${u.pathname}${query}` };
  }
  const svc = cc.service!;
  const port = svc.port ?? 443;
  const serverName = `${svc.name}.${svc.namespace}.svc`;
  const path = `${svc.path ?? '/'}${query}`;
  const url = `https://${serverName}:${port}${path}`;
  const found = await resolveService(svc.namespace, svc.name);
  if (!found) throw new WebhookCallError(`Post "${url}": service "${svc.name}" not found`);
  if (!found.clusterIP || found.clusterIP === 'None') {
    throw new WebhookCallError(`Post "${url}": service "${svc.namespace}/${svc.name}" has no cluster IP`);
  }
  return { url, host: found.clusterIP, port, serverName, path };
}

/** POSTs `body` and resolves with the parsed JSON answer, or rejects with a WebhookCallError. */
export function postJSON(target: WebhookTarget, body: unknown, caBundle: string | undefined, timeoutMs: number): Promise<unknown> {
  const payload = Buffer.from(JSON.stringify(body));
  const ca = caBundle ? Buffer.from(caBundle, 'base64').toString('utf8') : undefined;
  const isIP = /^[\d.]+$|:/.test(target.serverName);
  return new Promise((resolve, reject) => {
    const fail = (message: string) => reject(new WebhookCallError(`Post "${target.url}": ${message}`));
    const req = request({
      host: target.host, port: target.port, path: target.path, method: 'POST',
      ca, servername: isIP ? undefined : target.serverName,
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'Content-Length': payload.length },
      signal: AbortSignal.timeout(timeoutMs),
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (e) => fail(e.message));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const code = res.statusCode ?? 0;
        if (code < 200 || code >= 300) {
          fail(`the server responded with the status code ${code} but did not return more information`);
          return;
        }
        try { resolve(JSON.parse(text)); } catch { fail('the webhook answered with something other than JSON'); }
      });
    });
    req.on('error', (e: Error & { code?: string }) => {
      if (e.name === 'AbortError' || e.name === 'TimeoutError' || e.code === 'ABORT_ERR') fail('context deadline exceeded');
      else fail(e.message);
    });
    req.end(payload);
  });
}
