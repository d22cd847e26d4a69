// Serving /api, /apis, /apis/<group>, /api/v1 and /apis/<group>/<version>.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestInfo } from './request-info.js';
import type { Registry } from './registry/registry.js';
import { writeObject } from './response.js';
import { writeAggregatedDiscovery } from './discovery-etag.js';
import {
  aggregatedDiscovery, apiGroupDocument, apiGroupList, apiResourceList, apiVersions, wantsAggregated,
} from './discovery.js';

/** Writes the discovery document for the path and returns true, or returns false if it is not one. */
export function serveDiscovery(registry: Registry, req: IncomingMessage, res: ServerResponse, info: RequestInfo, addr: { address: string; port: number }): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  const aggregated = wantsAggregated(req.headers.accept);
  const parts = info.path.split('/').filter(Boolean);
  if (parts.length === 1 && (parts[0] === 'api' || parts[0] === 'apis')) {
    if (aggregated) {
      writeAggregatedDiscovery(req, res, aggregatedDiscovery(registry, parts[0] === 'api', aggregated), aggregated);
    } else if (parts[0] === 'api') {
      const host = addr.address === '0.0.0.0' || addr.address === '::' ? '127.0.0.1' : addr.address;
      writeObject(res, 200, apiVersions(`${host}:${addr.port}`), { Vary: 'Accept' });
    } else {
      writeObject(res, 200, apiGroupList(registry), { Vary: 'Accept' });
    }
    return true;
  }
  if (parts[0] === 'apis' && parts.length === 2) {
    const doc = apiGroupDocument(registry, parts[1]);
    if (!doc) return false;
    writeObject(res, 200, doc);
    return true;
  }
  if ((parts[0] === 'api' && parts.length === 2) || (parts[0] === 'apis' && parts.length === 3)) {
    const doc = apiResourceList(registry, info.group, info.version);
    if (!doc) return false;
    writeObject(res, 200, doc);
    return true;
  }
  return false;
}
