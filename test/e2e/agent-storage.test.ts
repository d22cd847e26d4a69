// Persistent volumes on the node agent, through the real kubectl: the built-in `local-path`
// StorageClass is the default, a claim without a class gets it and waits for its first pod, the
// agent's provisioner makes a directory under the data dir, the data outlives the pod that wrote
// it, and deleting the claim removes the volume and its directory. Needs root and containerd.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { agentPaths } from '../../src/kubelet/paths.js';
import { AGENT_NODE, busyboxPod, describeWithAgent } from './agent-suite.js';
import { parseTable } from './kubectl.js';
import { pollUntil } from './polling.js';

describeWithAgent('node agent: persistent volumes', (ctx) => {
  const claimPod = (name: string, script: string, container: Record<string, unknown> = {}) => busyboxPod(name, script, {
    volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data' } }],
  }, { volumeMounts: [{ name: 'data', mountPath: '/data' }], ...container });
  let volumeDir = '';
  let volumeName = '';

  it('lists the built-in local-path class as the default', async () => {
    const rows = parseTable((await ctx.kite.kubectl(['get', 'storageclass'])).stdout);
    const row = rows.find((r) => r.NAME === 'local-path (default)');
    assert.ok(row, JSON.stringify(rows));
    assert.equal(row.PROVISIONER, 'kite.io/local-path');
    assert.equal(row.RECLAIMPOLICY, 'Delete');
    assert.equal(row.VOLUMEBINDINGMODE, 'WaitForFirstConsumer');
  });

  it('gives a claim without a class the default class, and keeps it Pending until a pod uses it', async () => {
    await ctx.apply(JSON.stringify({
      apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data' },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '128Mi' } } },
    }));
    const pvc = JSON.parse((await ctx.kite.kubectl(['get', 'pvc', 'data', '-n', ctx.ns, '-o', 'json'])).stdout);
    assert.equal(pvc.spec.storageClassName, 'local-path');
    await pollUntil('the WaitForFirstConsumer event', async () =>
      (await ctx.kite.kubectl(['get', 'events', '-n', ctx.ns, '--field-selector', 'involvedObject.name=data', '-o', 'name'])).stdout.trim() !== '', 15_000, 250);
    const again = JSON.parse((await ctx.kite.kubectl(['get', 'pvc', 'data', '-n', ctx.ns, '-o', 'json'])).stdout);
    assert.equal(again.status.phase, 'Pending');
    assert.equal(again.spec.volumeName, undefined);
  });

  it('provisions the volume on the node when a pod uses the claim, and the pod (not root) writes to it', async () => {
    await ctx.apply(claimPod('writer', 'echo kept-across-pods > /data/hello.txt; sleep 3600', { securityContext: { runAsUser: 1000, runAsGroup: 1000 } }));
    await ctx.kite.kubectl(['wait', '-n', ctx.ns, '--for=condition=Ready', 'pod/writer', '--timeout=90s'], { timeoutMs: 100_000 });
    const pvc = JSON.parse((await ctx.kite.kubectl(['get', 'pvc', 'data', '-n', ctx.ns, '-o', 'json'])).stdout);
    volumeName = pvc.spec.volumeName;
    assert.equal(volumeName, `pvc-${pvc.metadata.uid}`);
    assert.equal(pvc.metadata.annotations['volume.kubernetes.io/selected-node'], AGENT_NODE);

    const rows = parseTable((await ctx.kite.kubectl(['get', 'pvc,pv', '-n', ctx.ns])).stdout);
    const claimRow = rows.find((r) => r.NAME === 'persistentvolumeclaim/data');
    assert.equal(claimRow?.STATUS, 'Bound', JSON.stringify(rows));
    assert.equal(claimRow?.VOLUME, volumeName);
    assert.equal(claimRow?.STORAGECLASS, 'local-path');
    assert.equal(claimRow?.CAPACITY, '128Mi');
    const pvRows = parseTable((await ctx.kite.kubectl(['get', 'pv', volumeName])).stdout);
    assert.equal(pvRows[0]?.STATUS, 'Bound');
    assert.equal(pvRows[0]?.CLAIM, `${ctx.ns}/data`);
    assert.equal(pvRows[0]?.STORAGECLASS, 'local-path');
    assert.equal(pvRows[0]?.['RECLAIM POLICY'] ?? pvRows[0]?.RECLAIMPOLICY, 'Delete');

    volumeDir = join(agentPaths(ctx.kite.dataDir).localPath, `${volumeName}_${ctx.ns}_data`);
    const file = join(volumeDir, 'hello.txt');
    await pollUntil('the file in the volume directory', async () => existsSync(file), 15_000, 250);
    assert.equal(readFileSync(file, 'utf8'), 'kept-across-pods\n');
  });

  it('keeps the data for the next pod on the same claim', async () => {
    await ctx.kite.kubectl(['delete', 'pod', 'writer', '-n', ctx.ns, '--grace-period=1', '--wait=true', '--timeout=60s'], { timeoutMs: 70_000 });
    await ctx.apply(claimPod('reader', 'cat /data/hello.txt; sleep 3600'));
    await ctx.kite.kubectl(['wait', '-n', ctx.ns, '--for=condition=Ready', 'pod/reader', '--timeout=90s'], { timeoutMs: 100_000 });
    const logs = await pollUntil('the reader to print the file', async () => {
      const { stdout } = await ctx.kite.kubectl(['logs', '-n', ctx.ns, 'reader']);
      return stdout.includes('kept-across-pods') ? stdout : false;
    }, 15_000, 250);
    assert.equal(logs.trim(), 'kept-across-pods');
  });

  it('deletes the volume and its directory once the claim is deleted', async () => {
    await ctx.kite.kubectl(['delete', 'pod', 'reader', '-n', ctx.ns, '--grace-period=1', '--wait=true', '--timeout=60s'], { timeoutMs: 70_000 });
    await ctx.kite.kubectl(['delete', 'pvc', 'data', '-n', ctx.ns, '--wait=true', '--timeout=30s'], { timeoutMs: 40_000 });
    await pollUntil(`the volume ${volumeName} to be deleted`, async () =>
      (await ctx.kite.request('GET', `/api/v1/persistentvolumes/${volumeName}`)).status === 404, 30_000, 250);
    assert.equal(existsSync(volumeDir), false, `${volumeDir} is removed`);
  });
});
