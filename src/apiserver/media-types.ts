// Reading the media types of a request: its Content-Type, and the ranges its Accept header lists.
import type { IncomingMessage } from 'node:http';

/** A request body's media type, lowercased, without parameters ('' when absent). */
export function mediaType(req: IncomingMessage): string {
  const ct = req.headers['content-type'];
  return (ct ?? '').split(';')[0].trim().toLowerCase();
}

/** One entry of an Accept header with its parameters (`as`, `g`, `v`, `q`). */
export interface MediaRange { type: string; params: Record<string, string> }

export function parseAccept(header: string | undefined): MediaRange[] {
  if (!header) return [{ type: '*/*', params: {} }];
  return header.split(',').map((part) => {
    const [type, ...rest] = part.split(';').map((s) => s.trim());
    const params: Record<string, string> = {};
    for (const p of rest) {
      const eq = p.indexOf('=');
      if (eq > 0) params[p.slice(0, eq).trim()] = p.slice(eq + 1).trim();
    }
    return { type: type.toLowerCase(), params };
  }).filter((m) => m.type.length > 0);
}

/** Ranges a JSON answer satisfies (YAML clients read JSON too). */
export function acceptsJSON(range: MediaRange): boolean {
  return range.type === 'application/json' || range.type === '*/*' || range.type === 'application/*' || range.type === 'application/yaml';
}
