// pods/log: validated here, then streamed from the kubelet's /containerLogs as plain text.
import type { ServerResponse } from 'node:http';
import { invalid, type FieldError } from '../../apimachinery/status.js';
import { isTrue } from '../request-info.js';
import { kubeletGet, type KubeletTarget } from './kubelet-client.js';

/** The kubelet's query for a PodLogOptions query, after Kubernetes' validation of it. */
export function kubeletLogQuery(q: URLSearchParams, podName: string): URLSearchParams {
  const out = new URLSearchParams();
  const errs: FieldError[] = [];
  const int = (name: string, min: number, field: string): number | undefined => {
    const v = q.get(name);
    if (v === null || v === '') return undefined;
    const n = Number(v);
    if (!Number.isInteger(n)) {
      errs.push({ type: 'FieldValueInvalid', field, message: `Invalid value: "${v}": must be an integer` });
      return undefined;
    }
    if (n < min) errs.push({ type: 'FieldValueInvalid', field, message: `Invalid value: ${n}: must be ${min === 0 ? 'greater than or equal to 0' : 'greater than 0'}` });
    return n;
  };
  const tail = int('tailLines', 0, 'tailLines');
  const limit = int('limitBytes', 1, 'limitBytes');
  const sinceSeconds = int('sinceSeconds', 1, 'sinceSeconds');
  const sinceTime = q.get('sinceTime');
  if (sinceTime && Number.isNaN(Date.parse(sinceTime))) errs.push({ type: 'FieldValueInvalid', field: 'sinceTime', message: `Invalid value: "${sinceTime}": must be an RFC3339 time` });
  if (sinceSeconds !== undefined && sinceTime) errs.push({ type: 'FieldValueForbidden', field: 'sinceSeconds', message: 'Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified' });
  const stream = q.get('stream');
  if (stream && !['All', 'Stdout', 'Stderr'].includes(stream)) errs.push({ type: 'FieldValueNotSupported', field: 'stream', message: `Unsupported value: "${stream}": supported values: "All", "Stderr", "Stdout"` });
  if (stream && stream !== 'All' && tail !== undefined) errs.push({ type: 'FieldValueForbidden', field: 'tailLines', message: 'Forbidden: `tailLines` and specific `stream` are mutually exclusive for now' });
  if (errs.length) throw invalid('', 'PodLogOptions', podName, errs);

  for (const flag of ['follow', 'previous', 'timestamps']) if (isTrue(q.get(flag))) out.set(flag, 'true');
  if (tail !== undefined) out.set('tailLines', String(tail));
  if (limit !== undefined) out.set('limitBytes', String(limit));
  if (sinceSeconds !== undefined) out.set('sinceSeconds', String(sinceSeconds));
  if (sinceTime) out.set('sinceTime', sinceTime);
  if (stream) out.set('stream', stream);
  return out;
}

export async function streamLogs(res: ServerResponse, target: KubeletTarget, path: string): Promise<void> {
  const abort = new AbortController();
  res.once('close', () => abort.abort());
  const upstream = await kubeletGet(target, path, abort.signal);
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
  res.flushHeaders();
  await new Promise<void>((resolve) => {
    upstream.on('data', (c: Buffer) => {
      if (!res.write(c)) {
        upstream.pause();
        res.once('drain', () => upstream.resume());
      }
    });
    upstream.on('end', () => { res.end(); resolve(); });
    upstream.on('error', () => { res.destroy(); resolve(); });
    upstream.on('close', () => { if (!res.writableEnded) res.end(); resolve(); });
    res.once('close', () => { upstream.destroy(); resolve(); });
  });
}
