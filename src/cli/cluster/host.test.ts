import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { isProcessOf, processesNaming, stopProcesses } from './host.js';

describe('cluster host processes', { skip: process.platform !== 'linux' ? 'needs /proc' : false }, () => {
  it('processesNaming finds processes with a path argument under the dir, not scripts that mention it', async () => {
    const dir = `/nonexistent/kite-cluster-test-${process.pid}`;
    const named = spawn('sh', ['-c', 'sleep 30', `${dir}/node-0/containerd.sock`], { stdio: 'ignore' });
    const flag = spawn('sh', ['-c', 'sleep 30', `--config=${dir}/node-1/config.toml`], { stdio: 'ignore' });
    const script = spawn('sh', ['-c', `sleep 30; : ${dir}/node-0/x`], { stdio: 'ignore' });
    try {
      await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual((await processesNaming(dir)).sort(), [named.pid, flag.pid].sort());
      assert.equal(await isProcessOf(named.pid!, dir), true);
      await stopProcesses([{ pid: named.pid!, mark: dir }, { pid: flag.pid!, mark: dir }, { pid: script.pid!, mark: 'not-its-mark' }], 2_000);
      assert.deepEqual(await processesNaming(dir), []);
      assert.equal(script.exitCode, null, 'a PID whose command line lacks the mark is left alone');
    } finally {
      for (const c of [named, flag, script]) c.kill('SIGKILL');
    }
  });
});
