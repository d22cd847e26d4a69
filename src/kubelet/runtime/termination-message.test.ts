import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ContainerStatus } from '../cri/types.js';
import { TERMINATION_MESSAGE_PATH_ANNOTATION, TERMINATION_MESSAGE_POLICY_ANNOTATION } from '../pods/labels.js';
import { lastLogLines, terminationMessage } from './termination-message.js';

let dir = '';
before(async () => { dir = await mkdtemp(join(tmpdir(), 'kite-termmsg-')); });
after(async () => { await rm(dir, { recursive: true, force: true }); });

const criLine = (text: string, stream = 'stdout', tag = 'F') => `2024-01-01T00:00:00.000000000Z ${stream} ${tag} ${text}\n`;

interface Opts { file?: string | null; log?: string; policy?: string; exitCode?: number; reason?: string; message?: string; state?: ContainerStatus['state'] }

let n = 0;
async function status(o: Opts): Promise<ContainerStatus> {
  const id = `c${++n}`;
  const hostPath = join(dir, `${id}.term`);
  if (o.file !== null) await writeFile(hostPath, o.file ?? '');
  const logPath = join(dir, `${id}.log`);
  if (o.log !== undefined) await writeFile(logPath, o.log);
  return {
    id, metadata: { name: 'app', attempt: 0 }, state: o.state ?? 'CONTAINER_EXITED', createdAt: 1, startedAt: 2, finishedAt: 3,
    exitCode: o.exitCode ?? 1, image: null, imageRef: '', reason: o.reason ?? 'Error', message: o.message ?? '',
    labels: {}, annotations: {
      [TERMINATION_MESSAGE_PATH_ANNOTATION]: '/dev/termination-log',
      [TERMINATION_MESSAGE_POLICY_ANNOTATION]: o.policy ?? 'File',
    },
    mounts: [{ containerPath: '/dev/termination-log', hostPath, readonly: false, selinuxRelabel: false, propagation: 'PROPAGATION_PRIVATE', uidMappings: [], gidMappings: [], recursiveReadOnly: false, image: null }],
    logPath, resources: null, imageId: '', user: null, imageSource: '',
  };
}

describe('terminationMessage', () => {
  it('reads the termination-log file of an exited container', async () => {
    assert.equal(await terminationMessage(await status({ file: 'bye', exitCode: 0 })), 'bye');
  });

  it('keeps only the last 4096 bytes of the file', async () => {
    const text = `${'a'.repeat(100)}${'b'.repeat(4096)}`;
    assert.equal(await terminationMessage(await status({ file: text })), 'b'.repeat(4096));
  });

  it('joins the runtime\'s own message before it', async () => {
    assert.equal(await terminationMessage(await status({ file: 'bye', message: 'runtime says' })), 'runtime says: bye');
    assert.equal(await terminationMessage(await status({ file: '', message: 'runtime says' })), 'runtime says');
  });

  it('reads nothing for a running container', async () => {
    assert.equal(await terminationMessage(await status({ file: 'bye', state: 'CONTAINER_RUNNING' })), '');
  });

  it('with File, an empty file gives no message even when the container failed', async () => {
    assert.equal(await terminationMessage(await status({ file: '', log: criLine('oops') })), '');
  });

  it('with FallbackToLogsOnError, an empty or missing file of a failed container gives the end of its log', async () => {
    const log = criLine('out') + criLine('part-', 'stderr', 'P') + criLine('one', 'stderr');
    assert.equal(await terminationMessage(await status({ file: '', log, policy: 'FallbackToLogsOnError' })), 'out\npart-one\n');
    assert.equal(await terminationMessage(await status({ file: null, log, policy: 'FallbackToLogsOnError' })), 'out\npart-one\n');
  });

  it('with FallbackToLogsOnError, the file wins, and a success or a container that could not run reads no log', async () => {
    const log = criLine('from the log');
    assert.equal(await terminationMessage(await status({ file: 'file', log, policy: 'FallbackToLogsOnError' })), 'file');
    assert.equal(await terminationMessage(await status({ file: '', log, policy: 'FallbackToLogsOnError', exitCode: 0, reason: 'Completed' })), '');
    assert.equal(await terminationMessage(await status({ file: '', log, policy: 'FallbackToLogsOnError', reason: 'ContainerCannotRun' })), '');
  });

  it('says so when the log cannot be read', async () => {
    const s = await status({ file: '', policy: 'FallbackToLogsOnError' });
    assert.match(await terminationMessage(s), /^Error on reading termination message from logs: .*ENOENT/);
  });
});

describe('lastLogLines', () => {
  it('keeps the last 80 lines, then at most their last 2048 bytes', async () => {
    const path = join(dir, 'long.log');
    let text = '';
    for (let i = 0; i < 100; i++) text += criLine(`line ${i}`);
    await writeFile(path, text);
    const out = await lastLogLines(path);
    const lines = out.trimEnd().split('\n');
    assert.equal(lines.length, 80);
    assert.equal(lines[0], 'line 20');
    assert.equal(lines.at(-1), 'line 99');

    await writeFile(path, criLine('x'.repeat(3000)) + criLine('end'));
    const tail = await lastLogLines(path);
    assert.equal(Buffer.byteLength(tail), 2048);
    assert.ok(tail.endsWith('x\nend\n'));
  });

  it('reads only the end of a large log, leaving out a line cut by it', async () => {
    const path = join(dir, 'large.log');
    await writeFile(path, criLine('y'.repeat(400 * 1024)) + criLine('last'));
    assert.equal(await lastLogLines(path), 'last\n');
  });
});
