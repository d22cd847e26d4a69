// Decoding bytes the way Go's marshaller writes them: every non-pointer field present, zero or
// not (empty strings, zero counts, empty times, zero IntOrStrings), pointers only when set.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import protobuf from 'protobufjs';
import { decodeObject } from './index.js';

type W = protobuf.Writer;
const str = (w: W, n: number, s: string) => w.uint32((n << 3) | 2).string(s);
const int = (w: W, n: number, v: number) => w.uint32(n << 3).int64(v);
const bool = (w: W, n: number, v: boolean) => w.uint32(n << 3).bool(v);
const sub = (w: W, n: number, build: (w: W) => void) => { w.uint32((n << 3) | 2).fork(); build(w); w.ldelim(); };
const entry = (w: W, n: number, k: string, v: string) => sub(w, n, (e) => { str(e, 1, k); str(e, 2, v); });
const bytes = (build: (w: W) => void) => { const w = protobuf.Writer.create(); build(w); return w.finish(); };

/** ObjectMeta as Go writes it for a new object: every string field, generation 0, a zero creationTimestamp. */
function objectMeta(w: W, name: string, labels: Record<string, string> = {}) {
  str(w, 1, name); str(w, 2, ''); str(w, 3, ''); str(w, 4, ''); str(w, 5, ''); str(w, 6, '');
  int(w, 7, 0);
  sub(w, 8, () => {});
  for (const [k, v] of Object.entries(labels)) entry(w, 11, k, v);
}

test('kubectl create configmap: zero ObjectMeta fields and the zero time are absent, data kept', () => {
  const raw = bytes((w) => {
    sub(w, 1, (m) => objectMeta(m, 'app-config'));
    entry(w, 2, 'a', 'b');
    entry(w, 2, 'empty', '');
  });
  assert.deepEqual(decodeObject(raw, 'io.k8s.api.core.v1.ConfigMap'), { metadata: { name: 'app-config' }, data: { a: 'b', empty: '' } });
});

test('kubectl create deployment --replicas=0: the pointer replicas 0 kept, zero non-pointers dropped', () => {
  const raw = bytes((w) => {
    sub(w, 1, (m) => objectMeta(m, 'web', { app: 'web' }));
    sub(w, 2, (s) => {
      int(s, 1, 0); // replicas (*int32)
      sub(s, 2, (sel) => entry(sel, 1, 'app', 'web'));
      sub(s, 3, (t) => {
        sub(t, 1, (m) => objectMeta(m, '', { app: 'web' }));
        sub(t, 2, (p) => {
          sub(p, 2, (c) => {
            str(c, 1, 'nginx'); str(c, 2, 'nginx'); str(c, 5, '');
            sub(c, 8, () => {});
            str(c, 13, ''); str(c, 14, ''); bool(c, 16, false); bool(c, 17, false); bool(c, 18, false); str(c, 20, '');
          });
          str(p, 3, ''); str(p, 6, ''); str(p, 8, ''); str(p, 9, ''); str(p, 10, ''); bool(p, 11, false); bool(p, 12, false); bool(p, 13, false);
          str(p, 16, ''); str(p, 17, ''); str(p, 19, ''); str(p, 24, '');
        });
      });
      sub(s, 4, (st) => str(st, 1, ''));
      int(s, 5, 0); bool(s, 7, false);
    });
    sub(w, 3, (st) => { int(st, 1, 0); int(st, 2, 0); int(st, 3, 0); int(st, 4, 0); int(st, 5, 0); int(st, 7, 0); });
  });
  assert.deepEqual(decodeObject(raw, 'io.k8s.api.apps.v1.Deployment'), {
    metadata: { name: 'web', labels: { app: 'web' } },
    spec: {
      replicas: 0,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx', resources: {} }] } },
      strategy: {},
    },
    status: {},
  });
});

test('kubectl create service: a zero targetPort IntOrString is absent, a named one kept', () => {
  const raw = bytes((w) => {
    sub(w, 1, (m) => objectMeta(m, 'web'));
    sub(w, 2, (s) => {
      sub(s, 1, (p) => { str(p, 1, '80-80'); str(p, 2, 'TCP'); int(p, 3, 80); sub(p, 4, (t) => { int(t, 1, 0); int(t, 2, 0); str(t, 3, ''); }); int(p, 5, 0); });
      sub(s, 1, (p) => { str(p, 1, 'web'); str(p, 2, 'TCP'); int(p, 3, 8080); sub(p, 4, (t) => { int(t, 1, 1); int(t, 2, 0); str(t, 3, 'http'); }); int(p, 5, 0); });
      entry(s, 2, 'app', 'web');
      str(s, 3, ''); str(s, 4, 'ClusterIP'); str(s, 7, ''); str(s, 8, ''); str(s, 10, ''); str(s, 11, ''); int(s, 12, 0); bool(s, 13, false);
    });
    sub(w, 3, (st) => sub(st, 1, () => {}));
  });
  assert.deepEqual(decodeObject(raw, 'io.k8s.api.core.v1.Service'), {
    metadata: { name: 'web' },
    spec: {
      ports: [{ name: '80-80', protocol: 'TCP', port: 80 }, { name: 'web', protocol: 'TCP', port: 8080, targetPort: 'http' }],
      selector: { app: 'web' }, type: 'ClusterIP',
    },
    status: { loadBalancer: {} },
  });
});

test('kubectl create poddisruptionbudget --min-available=0 keeps minAvailable 0 and the required status counts', () => {
  const raw = bytes((w) => {
    sub(w, 1, (m) => objectMeta(m, 'web'));
    sub(w, 2, (s) => { sub(s, 1, (t) => { int(t, 1, 0); int(t, 2, 0); str(t, 3, ''); }); sub(s, 2, (sel) => entry(sel, 1, 'app', 'web')); });
    sub(w, 3, (st) => { int(st, 1, 0); int(st, 3, 0); int(st, 4, 0); int(st, 5, 0); int(st, 6, 0); });
  });
  assert.deepEqual(decodeObject(raw, 'io.k8s.api.policy.v1.PodDisruptionBudget'), {
    metadata: { name: 'web' }, spec: { minAvailable: 0, selector: { matchLabels: { app: 'web' } } },
    status: { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 },
  });
});

test('an eviction with gracePeriodSeconds 0 (a pointer) keeps it; negative int32 values decode', () => {
  const raw = bytes((w) => {
    sub(w, 1, (m) => { objectMeta(m, 'web-1'); });
    sub(w, 2, (d) => int(d, 1, 0));
  });
  assert.deepEqual(decodeObject(raw, 'io.k8s.api.policy.v1.Eviction'), { metadata: { name: 'web-1' }, deleteOptions: { gracePeriodSeconds: 0 } });
  const pc = bytes((w) => { sub(w, 1, (m) => objectMeta(m, 'low')); int(w, 2, -10); bool(w, 3, false); str(w, 4, ''); });
  assert.deepEqual(decodeObject(pc, 'io.k8s.api.scheduling.v1.PriorityClass'), { metadata: { name: 'low' }, value: -10 });
});
