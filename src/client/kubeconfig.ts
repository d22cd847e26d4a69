// Reading a kubeconfig's current context into transport credentials.
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parse } from 'yaml';
import type { TlsCredentials } from './transport.js';

interface Named<T> { name: string; [k: string]: unknown; cluster?: T; user?: T; context?: T }

function pick<T>(list: Named<T>[] | undefined, name: string | undefined, what: string): T {
  const found = (list ?? []).find((x) => x.name === name);
  const value = found?.cluster ?? found?.user ?? found?.context;
  if (!value) throw new Error(`kubeconfig has no ${what} named "${name ?? ''}"`);
  return value;
}

async function dataOrFile(dir: string, data: unknown, file: unknown): Promise<Buffer | undefined> {
  if (typeof data === 'string') return Buffer.from(data, 'base64');
  if (typeof file === 'string') return readFile(resolve(dir, file));
  return undefined;
}

export async function loadKubeconfig(path: string, contextName?: string): Promise<TlsCredentials & { namespace?: string }> {
  const doc = parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  const dir = dirname(path);
  const ctx = pick(doc.contexts as Named<Record<string, string>>[], contextName ?? (doc['current-context'] as string), 'context');
  const cluster = pick(doc.clusters as Named<Record<string, unknown>>[], ctx.cluster, 'cluster');
  const user = pick(doc.users as Named<Record<string, unknown>>[], ctx.user, 'user');
  return {
    server: String(cluster.server),
    ca: await dataOrFile(dir, cluster['certificate-authority-data'], cluster['certificate-authority']),
    cert: await dataOrFile(dir, user['client-certificate-data'], user['client-certificate']),
    key: await dataOrFile(dir, user['client-key-data'], user['client-key']),
    token: typeof user.token === 'string' ? user.token : undefined,
    namespace: ctx.namespace,
  };
}
