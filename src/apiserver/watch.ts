// Serving a watch: chunked newline-delimited JSON events, resumable from a resourceVersion.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KubeObject, WatchEventType } from '../apimachinery/object.js';
import { expired, internalError, type StatusError } from '../apimachinery/status.js';
import { CompactedError, type KeyValue, type StorageEvent, type Watch } from '../storage/backend.js';
import type { ResourceStore } from './registry/store.js';
import type { ObjectFilter } from './registry/filter.js';
import { parseRV } from './registry/store.js';
import { toStatusError } from './response.js';
import { answersInProtobuf, PROTOBUF_WATCH_MEDIA_TYPE, watchEventFrame } from './protobuf/index.js';

export interface WatchRequest {
  store: ResourceStore;
  namespace: string | undefined;
  filter?: ObjectFilter;
  resourceVersion?: string;
  sendInitialEvents?: boolean;
  allowBookmarks: boolean;
  timeoutSeconds?: number;
  /** Turns an object into what the client asked for (itself, a Table row, metadata only). */
  render: (obj: KubeObject, first: boolean) => unknown;
  /** `render` gives back the object itself: the event's JSON may be shared with other such watchers. */
  plain?: boolean;
  /** The object of a BOOKMARK event for this resource. */
  bookmark: (rv: string, annotations?: Record<string, string>) => unknown;
}

const BOOKMARK_INTERVAL_MS = 60_000;
/** Without timeoutSeconds a watch lasts 30–60 minutes, as Kubernetes' default. */
const DEFAULT_MIN_TIMEOUT_S = 1800;
/** A client that lets this much output pile up unread is cut off rather than buffered forever. */
const MAX_BUFFERED_BYTES = 64 * 1024 * 1024;

// A change goes to every watcher of its resource; those that send the object as it is share one
// encoding of it (per store: one stored value may be served as two kinds, as events are).
const encodings = new WeakMap<ResourceStore, WeakMap<KeyValue, string>>();

function encodingsOf(store: ResourceStore): WeakMap<KeyValue, string> {
  let m = encodings.get(store);
  if (!m) {
    m = new WeakMap();
    encodings.set(store, m);
  }
  return m;
}

// The watches open on each store, so that a store taken out of service (the resource of a deleted
// CustomResourceDefinition) can end them, as Kubernetes ends watches when it drops a storage.
const openWatches = new WeakMap<ResourceStore, Set<() => void>>();

/** Ends every watch open on `store` (their responses finish normally). */
export function endWatches(store: ResourceStore): void {
  for (const close of [...(openWatches.get(store) ?? [])]) close();
}

export async function serveWatch(req: IncomingMessage, res: ServerResponse, w: WatchRequest): Promise<void> {
  const { store } = w;
  let first = true;
  let lastRV = '0';
  let closed = false;
  let storageWatch: Watch | undefined;
  const timers: NodeJS.Timeout[] = [];

  const close = () => {
    if (closed) return;
    closed = true;
    open.delete(close);
    storageWatch?.cancel();
    for (const t of timers) clearTimeout(t);
    res.end();
  };
  const open = openWatches.get(store) ?? new Set();
  openWatches.set(store, open);
  open.add(close);
  req.on('close', close);
  res.on('error', close);

  const protobufFrames = answersInProtobuf(res);
  const send = (type: WatchEventType, object: unknown) => {
    if (closed) return;
    res.write(protobufFrames ? watchEventFrame(type, object) : `${JSON.stringify({ type, object })}\n`);
    if (res.writableLength > MAX_BUFFERED_BYTES) close();
  };
  const sendObject = (type: WatchEventType, obj: KubeObject) => {
    lastRV = obj.metadata?.resourceVersion ?? lastRV;
    send(type, w.render(obj, first));
    first = false;
  };
  const shared = w.plain && !protobufFrames ? encodingsOf(store) : undefined;
  /** A stored change as an event: `obj` is its decoded value when the caller has it already. */
  const sendStored = (type: WatchEventType, kv: KeyValue, obj?: KubeObject) => {
    if (!shared) {
      sendObject(type, obj ?? store.decode(kv));
      return;
    }
    if (closed) return;
    let json = shared.get(kv);
    if (json === undefined) {
      obj ??= store.decode(kv);
      json = JSON.stringify(obj);
      shared.set(kv, json);
    }
    lastRV = String(kv.modRevision);
    first = false;
    // The same text as JSON.stringify({ type, object }).
    res.write(`{"type":${JSON.stringify(type)},"object":${json}}\n`);
    if (res.writableLength > MAX_BUFFERED_BYTES) close();
  };
  const sendError = (err: StatusError) => {
    send('ERROR', err.toStatus());
    close();
  };

  res.writeHead(200, { 'Content-Type': protobufFrames ? PROTOBUF_WATCH_MEDIA_TYPE : 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
  res.flushHeaders();

  const timeoutMs = (w.timeoutSeconds && w.timeoutSeconds > 0 ? w.timeoutSeconds : DEFAULT_MIN_TIMEOUT_S * (1 + Math.random())) * 1000;
  timers.push(setTimeout(() => {
    if (w.allowBookmarks) send('BOOKMARK', w.bookmark(lastRV));
    close();
  }, timeoutMs));
  if (w.allowBookmarks) {
    const tick = () => {
      if (closed) return;
      send('BOOKMARK', w.bookmark(lastRV));
      timers.push(setTimeout(tick, BOOKMARK_INTERVAL_MS));
    };
    timers.push(setTimeout(tick, BOOKMARK_INTERVAL_MS));
  }

  try {
    let startRevision: number;
    const rv = w.resourceVersion ?? '';
    const initial = w.sendInitialEvents ?? (rv === '' || rv === '0');
    if (initial) {
      // The current state as ADDED events, then changes after the revision it was read at.
      const snapshot = await store.list(w.namespace, { filter: w.filter });
      for (const obj of snapshot.items) sendObject('ADDED', obj);
      lastRV = snapshot.resourceVersion;
      // Only watchers that take bookmarks get the end-of-initial-events one, as in Kubernetes.
      if (w.sendInitialEvents && w.allowBookmarks) send('BOOKMARK', w.bookmark(lastRV, { 'k8s.io/initial-events-end': 'true' }));
      startRevision = Number(snapshot.resourceVersion) + 1;
    } else if (rv === '' || rv === '0') {
      // No initial events asked for and no revision given: changes from now on.
      const current = await store.currentRevision();
      lastRV = String(current);
      startRevision = current + 1;
    } else {
      lastRV = rv;
      startRevision = parseRV(rv) + 1;
    }
    if (closed) return;
    storageWatch = store.watchStorage(w.namespace, {
      startRevision,
      onEvents: (events) => { for (const e of events) deliver(e); },
      onError: (err) => {
        if (err instanceof CompactedError) sendError(expired(`too old resource version: ${rv} (${err.compacted})`));
        else sendError(internalError(err.message));
      },
    });
  } catch (e) {
    sendError(toStatusError(e));
  }

  function deliver(e: StorageEvent): void {
    if (closed) return;
    const type: WatchEventType = e.type === 'create' ? 'ADDED' : e.type === 'update' ? 'MODIFIED' : 'DELETED';
    if (!w.filter) {
      sendStored(type, e.kv);
      return;
    }
    const obj = store.decode(e.kv);
    const now = w.filter.matches(obj);
    const before = e.type === 'create' ? false : e.type === 'delete' ? now : Boolean(e.prevKv && w.filter.matches(store.decode(e.prevKv)));
    if (e.type === 'delete') {
      if (now) sendStored('DELETED', e.kv, obj);
    } else if (now && before) sendStored('MODIFIED', e.kv, obj);
    else if (now) sendStored('ADDED', e.kv, obj);
    else if (before) sendStored('DELETED', e.kv, obj);
    else lastRV = obj.metadata?.resourceVersion ?? lastRV;
  }
}
