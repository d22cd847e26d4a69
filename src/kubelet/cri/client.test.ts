import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { connectCri, CriCode, CriError, criProtoPath, grpcTarget, isNotFound } from './client.js';
import { CRI_LOADER_OPTIONS } from './types.js';

type Handler = (req: any) => unknown | Promise<unknown>;

/** A CRI server of our own on a unix socket; handlers take and return messages in the client's (camelCase) shape. */
async function fakeRuntime(t: import('node:test').TestContext, runtime: Record<string, Handler>, images: Record<string, Handler> = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'kite-cri-'));
  const def = protoLoader.loadSync(criProtoPath(), { ...CRI_LOADER_OPTIONS });
  const pkg = grpc.loadPackageDefinition(def) as any;
  const server = new grpc.Server();
  const wrap = (handlers: Record<string, Handler>) =>
    Object.fromEntries(
      Object.entries(handlers).map(([name, fn]) => [
        name,
        (call: grpc.ServerUnaryCall<unknown, unknown>, cb: grpc.sendUnaryData<unknown>) => {
          Promise.resolve()
            .then(() => fn(call.request))
            .then((res) => cb(null, res as object), (err) => cb(err));
        },
      ]),
    );
  server.addService(pkg.runtime.v1.RuntimeService.service, wrap(runtime));
  server.addService(pkg.runtime.v1.ImageService.service, wrap(images));
  const socket = join(dir, 'cri.sock');
  await new Promise<void>((resolve, reject) =>
    server.bindAsync(`unix://${socket}`, grpc.ServerCredentials.createInsecure(), (err) => (err ? reject(err) : resolve())),
  );
  t.after(async () => {
    server.forceShutdown();
    await rm(dir, { recursive: true, force: true });
  });
  return socket;
}

test('grpcTarget takes unix URLs and bare socket paths', () => {
  assert.equal(grpcTarget('unix:///run/c.sock'), 'unix:///run/c.sock');
  assert.equal(grpcTarget('/run/c.sock'), 'unix:///run/c.sock');
});

test('the client sends requests in camelCase and decodes answers with defaults', async (t) => {
  let seen: any;
  const socket = await fakeRuntime(t, {
    Version: (req) => {
      seen = req;
      return { version: '0.1.0', runtimeName: 'fake', runtimeVersion: '1.0', runtimeApiVersion: 'v1' };
    },
    RunPodSandbox: (req) => {
      seen = req;
      return { podSandboxId: 'sb1' };
    },
    ContainerStatus: () => ({
      status: { id: 'c1', state: 'CONTAINER_EXITED', exitCode: 137, reason: 'OOMKilled', finishedAt: 1_700_000_000_000_000_000 },
    }),
    ExecSync: () => ({ stdout: Buffer.from('hi\n'), exitCode: 0 }),
  });
  const cri = connectCri(socket);
  t.after(() => cri.close());
  const v = await cri.runtime.version({ version: 'v1' });
  assert.deepEqual(v, { version: '0.1.0', runtimeName: 'fake', runtimeVersion: '1.0', runtimeApiVersion: 'v1' });
  assert.equal(seen.version, 'v1');

  const run = await cri.runtime.runPodSandbox({
    config: {
      metadata: { name: 'web', namespace: 'default', uid: 'u1', attempt: 0 },
      logDirectory: '/logs/default_web_u1',
      portMappings: [{ protocol: 'UDP', containerPort: 53, hostPort: 5353 }],
      linux: { securityContext: { namespaceOptions: { pid: 'CONTAINER' }, runAsUser: { value: 1000 } } },
      labels: { app: 'web' },
    },
  });
  assert.equal(run.podSandboxId, 'sb1');
  assert.equal(seen.config.metadata.name, 'web');
  assert.equal(seen.config.logDirectory, '/logs/default_web_u1');
  assert.deepEqual(seen.config.portMappings, [{ protocol: 'UDP', containerPort: 53, hostPort: 5353, hostIp: '' }]);
  assert.equal(seen.config.linux.securityContext.namespaceOptions.pid, 'CONTAINER');
  assert.equal(seen.config.linux.securityContext.runAsUser.value, 1000);
  assert.deepEqual(seen.config.labels, { app: 'web' });

  const st = await cri.runtime.containerStatus({ containerId: 'c1' });
  assert.equal(st.status?.state, 'CONTAINER_EXITED');
  assert.equal(st.status?.exitCode, 137);
  assert.equal(st.status?.reason, 'OOMKilled');
  assert.equal(st.status?.startedAt, 0);
  assert.equal(st.status?.image, null);
  assert.deepEqual(st.status?.labels, {});
  assert.equal(typeof st.status?.finishedAt, 'number');

  const ex = await cri.runtime.execSync({ containerId: 'c1', cmd: ['echo', 'hi'] });
  assert.equal(ex.stdout.toString(), 'hi\n');
  assert.equal(ex.stderr.length, 0);
});

test('errors carry the gRPC code, so NotFound is distinguishable', async (t) => {
  const socket = await fakeRuntime(t, {
    ContainerStatus: () => {
      throw Object.assign(new Error('no such container'), { code: grpc.status.NOT_FOUND, details: 'container "x" not found' });
    },
  }, {
    ImageStatus: () => ({}),
  });
  const cri = connectCri(`unix://${socket}`);
  t.after(() => cri.close());
  await assert.rejects(cri.runtime.containerStatus({ containerId: 'x' }), (err) => {
    assert.ok(err instanceof CriError);
    assert.equal(err.code, CriCode.NotFound);
    assert.equal(err.method, 'ContainerStatus');
    assert.match(err.message, /container "x" not found/);
    assert.ok(isNotFound(err));
    return true;
  });
  // An image that is not present is an answer without an image, not an error.
  assert.deepEqual(await cri.images.imageStatus({ image: { image: 'nope' } }), { image: null, info: {} });
  // Methods the server does not implement.
  await assert.rejects(cri.runtime.status({}), (err) => err instanceof CriError && err.code === CriCode.Unimplemented);
});

test('calls end at their deadline and when their signal aborts', async (t) => {
  const never = () => new Promise(() => {});
  const socket = await fakeRuntime(t, { ListContainers: never, ListPodSandbox: never });
  const cri = connectCri(socket);
  t.after(() => cri.close());
  await assert.rejects(cri.runtime.listContainers({}, { timeoutMs: 50 }), (err) => err instanceof CriError && err.code === CriCode.DeadlineExceeded);
  const ac = new AbortController();
  const call = cri.runtime.listPodSandbox({}, { signal: ac.signal });
  setImmediate(() => ac.abort());
  await assert.rejects(call, (err) => err instanceof CriError && err.code === CriCode.Cancelled);
});

test('waitForReady fails when nothing listens and resolves once a runtime does', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'kite-cri-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const absent = connectCri(join(dir, 'absent.sock'));
  await assert.rejects(absent.waitForReady(100));
  await assert.rejects(absent.runtime.version({}, { timeoutMs: 1000 }), (err) => err instanceof CriError && err.code === CriCode.Unavailable);
  absent.close();
  const socket = await fakeRuntime(t, { Version: () => ({ runtimeApiVersion: 'v1' }) });
  const cri = connectCri(socket);
  t.after(() => cri.close());
  await cri.waitForReady(5000);
  assert.equal((await cri.runtime.version({})).runtimeApiVersion, 'v1');
});
