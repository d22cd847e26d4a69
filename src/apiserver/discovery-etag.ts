// Aggregated discovery answers carry an ETag (a hash of the document), so clients with a cached
// copy revalidate with If-None-Match and get 304 Not Modified, as from kube-apiserver.
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

export function discoveryETag(text: string): string {
  return `"${createHash('sha512').update(text).digest('hex').toUpperCase()}"`;
}

/** Writes `doc` as `mediaType`, or 304 without a body when the client's copy is current. */
export function writeAggregatedDiscovery(req: IncomingMessage, res: ServerResponse, doc: unknown, mediaType: string): void {
  const text = JSON.stringify(doc);
  const etag = discoveryETag(text);
  const headers: Record<string, string> = { ETag: etag, Vary: 'Accept', 'Cache-Control': 'public' };
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  res.writeHead(200, { ...headers, 'Content-Type': mediaType, 'Content-Length': Buffer.byteLength(text) });
  res.end(req.method === 'HEAD' ? undefined : text);
}
