// /openapi/v3: the index of group-versions and one document each, built once and served with
// hashes and ETags so kubectl can cache them.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { buildOpenAPIV3Document, buildOpenAPIV3Index, documentHash } from '../api/openapi.js';
import type { Registry } from './registry/registry.js';
import { writeStatus } from './response.js';
import { StatusError } from '../apimachinery/status.js';
import { customOpenAPIDocument } from './crd/openapi.js';

interface Doc { body: string; hash: string; custom?: boolean }

function gvPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

export class OpenAPIDocuments {
  private docs?: Map<string, Doc>;
  private index?: string;
  private builtAt = -1;

  constructor(private readonly registry: Registry) {}

  private build(): void {
    // Custom resources come and go at runtime: their documents are rebuilt on every registry
    // change; built-in group-versions never change and keep theirs.
    if (this.docs && this.builtAt === this.registry.changes) return;
    const previous = this.docs;
    const docs = new Map<string, Doc>();
    const gvs: { group: string; version: string }[] = [];
    for (const g of this.registry.groups()) {
      for (const v of g.versions) {
        const path = gvPath(g.group, v);
        const custom = customOpenAPIDocument(this.registry, g.group, v);
        const kept = custom ? undefined : previous?.get(path);
        if (kept && !kept.custom) {
          docs.set(path, kept);
        } else {
          const doc = custom ?? buildOpenAPIV3Document(g.group, v, this.registry.resources(g.group, v));
          docs.set(path, { body: JSON.stringify(doc), hash: documentHash(doc), custom: Boolean(custom) });
        }
        gvs.push({ group: g.group, version: v });
      }
    }
    this.index = JSON.stringify(buildOpenAPIV3Index(gvs, (gv) => docs.get(gvPath(gv.group, gv.version))!.hash));
    this.docs = docs;
    this.builtAt = this.registry.changes;
  }

  serve(req: IncomingMessage, res: ServerResponse, path: string, q: URLSearchParams): void {
    this.build();
    if (path === '/openapi/v3') {
      send(res, this.index!, undefined);
      return;
    }
    const doc = this.docs!.get(path.slice('/openapi/v3/'.length));
    if (!doc) {
      writeStatus(res, new StatusError(404, 'NotFound', 'the server could not find the requested resource'));
      return;
    }
    const etag = `"${doc.hash}"`;
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, { ETag: etag });
      res.end();
      return;
    }
    // A request naming the current hash may be cached for long; anything else must revalidate.
    const immutable = q.get('hash') === doc.hash;
    send(res, doc.body, etag, immutable ? 'public, immutable' : 'no-cache, private');
  }
}

function send(res: ServerResponse, body: string, etag: string | undefined, cacheControl = 'no-cache, private'): void {
  const headers: Record<string, string | number> = {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': cacheControl,
  };
  if (etag) headers.ETag = etag;
  res.writeHead(200, headers);
  res.end(body);
}
