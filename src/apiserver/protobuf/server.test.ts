import assert from 'node:assert/strict';
import { request as httpsRequest } from 'node:https';
import { after, before, describe, test } from 'node:test';
import protobuf from 'protobufjs';
import { unwrapEnvelope, wrapEnvelope } from '../../apimachinery/protobuf-envelope.js';
import { decodeObject, encodeObject } from '../../api/protobuf/index.js';
import { eventually, startTestServer, type TestServer } from '../testing/fixture.js';
import { widgetCRD } from '../crd/crd-testing.js';

const PB = 'application/vnd.kubernetes.protobuf';
const KUBECTL_ACCEPT = `${PB},application/json`;
const CMS = '/api/v1/namespaces/default/configmaps';
const PODS = '/api/v1/namespaces/default/pods';

interface RawResponse { status: number; type: string; body: Buffer }

function envelope(apiVersion: string, kind: string, definition: string, obj: Record<string, unknown>): Buffer {
  return Buffer.from(wrapEnvelope({ apiVersion, kind }, encodeObject(obj, definition)));
}

/** The object in a protobuf response body, with its envelope's apiVersion and kind. */
function decodeResponse(body: Buffer, definition: string): Record<string, unknown> {
  const env = unwrapEnvelope(body);
  return { apiVersion: env.apiVersion, kind: env.kind, ...decodeObject(env.raw, definition) };
}

describe('the API server speaks the Kubernetes protobuf format', () => {
  let s: TestServer;
  before(async () => { s = await startTestServer(); });
  after(async () => { await s.close(); });

  const raw = (method: string, path: string, body?: Buffer, headers: Record<string, string> = {}) => new Promise<RawResponse>((resolve, reject) => {
    const req = httpsRequest({
      host: '127.0.0.1', port: s.port, method, path, ca: s.pki.caCert, cert: s.pki.adminCert, key: s.pki.adminKey,
      headers: { ...(body ? { 'Content-Type': PB, 'Content-Length': body.length } : {}), ...headers },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });

  test('a protobuf ConfigMap body is created and answered in JSON when JSON is asked for', async () => {
    const body = envelope('v1', 'ConfigMap', 'io.k8s.api.core.v1.ConfigMap', { metadata: { name: 'pb1', generateName: '' }, data: { a: 'b' } });
    const res = await raw('POST', `${CMS}?fieldManager=kubectl-create&fieldValidation=Strict`, body, { Accept: 'application/json' });
    assert.equal(res.status, 201, res.body.toString());
    assert.match(res.type, /^application\/json/);
    const created = JSON.parse(res.body.toString());
    assert.deepEqual(created.data, { a: 'b' });
    assert.equal(created.metadata.generateName, undefined);
  });

  test('kubectl\'s Accept gets protobuf objects, lists and Status errors', async () => {
    const body = envelope('v1', 'ConfigMap', 'io.k8s.api.core.v1.ConfigMap', { metadata: { name: 'pb2' }, data: { x: 'y' } });
    const created = await raw('POST', CMS, body, { Accept: KUBECTL_ACCEPT });
    assert.equal(created.status, 201);
    assert.equal(created.type, PB);
    const obj = decodeResponse(created.body, 'io.k8s.api.core.v1.ConfigMap');
    assert.equal(obj.kind, 'ConfigMap');
    assert.deepEqual(obj.data, { x: 'y' });

    const list = await raw('GET', CMS, undefined, { Accept: KUBECTL_ACCEPT });
    assert.equal(list.type, PB);
    const decoded = decodeResponse(list.body, 'io.k8s.api.core.v1.ConfigMapList') as { kind: string; items: { metadata: { name: string } }[]; metadata: { resourceVersion: string } };
    assert.equal(decoded.kind, 'ConfigMapList');
    assert.ok(decoded.items.some((i) => i.metadata.name === 'pb2'));
    assert.ok(Number(decoded.metadata.resourceVersion) > 0);

    const missing = await raw('GET', `${CMS}/nope`, undefined, { Accept: KUBECTL_ACCEPT });
    assert.equal(missing.status, 404);
    assert.equal(missing.type, PB);
    const status = decodeResponse(missing.body, 'io.k8s.apimachinery.pkg.apis.meta.v1.Status');
    assert.equal(status.reason, 'NotFound');
    assert.equal(status.code, 404);

    const table = await raw('GET', CMS, undefined, { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' });
    assert.equal(JSON.parse(table.body.toString()).kind, 'Table');
  });

  test('the envelope\'s kind and apiVersion are checked against the URL', async () => {
    const body = envelope('v1', 'Secret', 'io.k8s.api.core.v1.Secret', { metadata: { name: 'pb3' } });
    const res = await raw('POST', CMS, body);
    assert.equal(res.status, 400);
    assert.match(JSON.parse(res.body.toString()).message, /the kind in the data \(Secret\) does not match the expected kind \(ConfigMap\)/);
  });

  test('malformed protobuf bodies are 400 BadRequest', async () => {
    for (const body of [Buffer.from('k8s\0\x0a\xff'), Buffer.from('k8s\0garbage'), Buffer.from([0x6b, 0x38, 0x73, 0x00, 0x0a, 0x04, 0x0a, 0x02, 0x76, 0x31, 0x12, 0x09, 0xff, 0xff, 0xff])]) {
      const res = await raw('POST', CMS, body);
      assert.equal(res.status, 400, res.body.toString());
      assert.equal(JSON.parse(res.body.toString()).reason, 'BadRequest');
    }
  });

  test('an eviction and DeleteOptions arrive in protobuf', async () => {
    const pod = await s.request('POST', PODS, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'ev' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
    assert.equal(pod.status, 201, pod.body);
    const eviction = envelope('policy/v1', 'Eviction', 'io.k8s.api.policy.v1.Eviction', { metadata: { name: 'ev', namespace: 'default' }, deleteOptions: { gracePeriodSeconds: 0 } });
    const res = await raw('POST', `${PODS}/ev/eviction`, eviction, { Accept: KUBECTL_ACCEPT });
    assert.equal(res.status, 201, res.body.toString());
    assert.equal(decodeResponse(res.body, 'io.k8s.apimachinery.pkg.apis.meta.v1.Status').status, 'Success');
    assert.equal((await s.request('GET', `${PODS}/ev`)).status, 404);

    await s.request('POST', CMS, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'gone' } });
    const options = envelope('meta.k8s.io/v1', 'DeleteOptions', 'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions', { propagationPolicy: 'Foreground', dryRun: ['All'] });
    const del = await raw('DELETE', `${CMS}/gone`, options);
    assert.equal(del.status, 200, del.body.toString());
    assert.equal((await s.request('GET', `${CMS}/gone`)).status, 200, 'dryRun from the protobuf DeleteOptions');
  });

  test('watches stream length-prefixed protobuf WatchEvents', async () => {
    const events: { type: string; object: Record<string, unknown> }[] = [];
    const done = new Promise<void>((resolve, reject) => {
      const req = httpsRequest({
        host: '127.0.0.1', port: s.port, method: 'GET', path: `${CMS}?watch=true&fieldSelector=metadata.name%3Dwatched&timeoutSeconds=5`,
        ca: s.pki.caCert, cert: s.pki.adminCert, key: s.pki.adminKey, headers: { Accept: `${PB};stream=watch,${KUBECTL_ACCEPT}` },
      }, (res) => {
        assert.equal(res.headers['content-type'], `${PB};stream=watch`);
        let buf = Buffer.alloc(0);
        res.on('data', (c: Buffer) => {
          buf = Buffer.concat([buf, c]);
          while (buf.length >= 4 && buf.length >= 4 + buf.readUInt32BE(0)) {
            const frame = buf.subarray(4, 4 + buf.readUInt32BE(0));
            buf = buf.subarray(4 + frame.length);
            const r = protobuf.Reader.create(frame);
            let type = '';
            let object: Uint8Array = new Uint8Array();
            while (r.pos < r.len) {
              const tag = r.uint32();
              if (tag === 0x0a) type = r.string();
              else if (tag === 0x12) object = protobuf.Reader.create(r.bytes()).skip(1).bytes();
              else r.skipType(tag & 7);
            }
            events.push({ type, object: decodeResponse(Buffer.from(object), 'io.k8s.api.core.v1.ConfigMap') });
            if (events.length === 2) { req.destroy(); resolve(); }
          }
        });
      });
      req.on('error', (e) => { if (events.length < 2) reject(e); });
      req.end();
    });
    await s.request('POST', CMS, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'watched' }, data: { v: '1' } });
    await s.request('DELETE', `${CMS}/watched`);
    await done;
    assert.deepEqual(events.map((e) => [e.type, e.object.kind, (e.object.metadata as { name: string }).name]), [['ADDED', 'ConfigMap', 'watched'], ['DELETED', 'ConfigMap', 'watched']]);
  });

  test('the scale subresource reads and writes Scale in protobuf, replicas 0 included', async () => {
    const deploys = '/apis/apps/v1/namespaces/default/deployments';
    const created = await s.request('POST', deploys, {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'scaled' },
      spec: { replicas: 2, selector: { matchLabels: { app: 's' } }, template: { metadata: { labels: { app: 's' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
    });
    assert.equal(created.status, 201, created.body);
    const got = await raw('GET', `${deploys}/scaled/scale`, undefined, { Accept: KUBECTL_ACCEPT });
    assert.equal(got.type, PB);
    const scale = decodeResponse(got.body, 'io.k8s.api.autoscaling.v1.Scale') as { kind: string; spec: { replicas: number }; metadata: Record<string, unknown> };
    assert.equal(scale.kind, 'Scale');
    assert.equal(scale.spec.replicas, 2);
    const body = envelope('autoscaling/v1', 'Scale', 'io.k8s.api.autoscaling.v1.Scale', { metadata: scale.metadata, spec: { replicas: 0 } });
    const put = await raw('PUT', `${deploys}/scaled/scale`, body, { Accept: KUBECTL_ACCEPT });
    assert.equal(put.status, 200, put.body.toString());
    assert.equal((await s.request('GET', `${deploys}/scaled`)).json.spec.replicas, 0);
  });

  test('custom resources refuse protobuf bodies with 415 and answer in JSON', async () => {
    const crds = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
    assert.equal((await s.request('POST', crds, widgetCRD())).status, 201);
    await eventually(async () => {
      const crd = (await s.request('GET', `${crds}/widgets.example.com`)).json;
      return crd?.status?.conditions?.some((c: { type: string; status: string }) => c.type === 'Established' && c.status === 'True');
    });
    const widgets = '/apis/example.com/v1/namespaces/default/widgets';
    const body = envelope('v1', 'ConfigMap', 'io.k8s.api.core.v1.ConfigMap', { metadata: { name: 'w' } });
    const res = await raw('POST', widgets, body, { Accept: KUBECTL_ACCEPT });
    assert.equal(res.status, 415, res.body.toString());
    assert.match(res.type, /^application\/json/);
    const list = await raw('GET', widgets, undefined, { Accept: KUBECTL_ACCEPT });
    assert.equal(list.status, 200);
    assert.equal(JSON.parse(list.body.toString()).kind, 'WidgetList');
  });
});
