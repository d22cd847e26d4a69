// Real tmpfs mounts (root only): memory-backed emptyDir and secret volumes, and their cleanup.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { access, mkdtemp, readFile, rm, statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { startTestServer, type TestServer } from '../../apiserver/testing/fixture.js';
import { realClock } from '../../apimachinery/clock.js';
import { silentLogger } from '../../apimachinery/log.js';
import type { KubeObject } from '../../apimachinery/object.js';
import { ApiClient } from '../../client/rest.js';
import { inProcessTransport } from '../../client/transport.js';
import { agentPaths, podVolumeDir, type AgentPaths } from '../paths.js';
import { PLUGINS, VolumeManager } from './manager.js';
import { listMountPoints, SystemMounter } from './mounter.js';
import { fakeTokenSource } from './testing.js';

const skip = process.getuid?.() !== 0 ? 'needs root to mount tmpfs' : false;

describe('VolumeManager on real tmpfs mounts', { skip }, () => {
  let s: TestServer;
  let client: ApiClient;
  let dataDir: string;
  let paths: AgentPaths;
  let vm: VolumeManager;

  before(async () => {
    s = await startTestServer();
    client = new ApiClient(inProcessTransport(() => s.server.connectInProcess({ name: 'system:node:n1', groups: ['system:masters'] })));
    dataDir = await mkdtemp(join(tmpdir(), 'kite-tmpfs-'));
    paths = agentPaths(dataDir);
    vm = new VolumeManager({ client, clock: realClock, logger: silentLogger, paths, mount: new SystemMounter(), tokens: fakeTokenSource() });
  });
  after(async () => {
    // Whatever a failed test left mounted goes before the directory does.
    const mounter = new SystemMounter();
    for (const p of await mounter.mountsUnder(dataDir)) await mounter.unmount(p);
    client.close();
    await s.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('mounts emptyDir medium Memory with its sizeLimit and a secret on tmpfs, and tearDown unmounts both', async () => {
    await client.kind('v1', 'Secret').create('default', { metadata: { name: 'tls' }, data: { key: Buffer.from('k').toString('base64') } } as KubeObject);
    const pod: Pod = {
      metadata: { name: 'mem', namespace: 'default', uid: 'tmpfs-1' },
      spec: {
        containers: [{ name: 'c', image: 'i', resources: { limits: { memory: '64Mi' } } }],
        volumes: [{ name: 'scratch', emptyDir: { medium: 'Memory', sizeLimit: '16Mi' } }, { name: 'tls', secret: { secretName: 'tls' } }],
      },
    };
    await vm.setUp(pod);
    const scratch = podVolumeDir(paths, 'tmpfs-1', PLUGINS.emptyDir, 'scratch');
    const secret = podVolumeDir(paths, 'tmpfs-1', PLUGINS.secret, 'tls');
    const mounts = await listMountPoints();
    assert.ok(mounts.includes(scratch), 'emptyDir is a mount point');
    assert.ok(mounts.includes(secret), 'secret volume is a mount point');
    const fs = await statfs(scratch);
    assert.equal(fs.blocks * fs.bsize, 16 * 1024 * 1024);
    const sfs = await statfs(secret);
    assert.equal(sfs.blocks * sfs.bsize, 64 * 1024 * 1024);
    assert.equal(await readFile(join(secret, 'key'), 'utf8'), 'k');

    await vm.setUp(pod); // a second sync mounts nothing more
    assert.equal((await listMountPoints()).filter((p) => p === scratch).length, 1);

    await vm.tearDown('tmpfs-1');
    const after = await readFile('/proc/mounts', 'utf8');
    assert.ok(!after.includes(join(paths.pods, 'tmpfs-1')), 'no mount left under the pod');
    await assert.rejects(access(join(paths.pods, 'tmpfs-1', 'volumes')));
  });
});
