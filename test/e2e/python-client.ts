// The official Python client (the `kubernetes` package) run as a child process against a server:
// scripts get the kubeconfig in KUBECONFIG and print JSON on their last line.
import { spawn, spawnSync } from 'node:child_process';
import { exitOf, track } from './child-processes.js';

/** The first Python interpreter that can import `kubernetes`, if any. */
export const pythonWithClient: string | undefined = (() => {
  const candidates = [process.env.KITE_E2E_PYTHON, 'python3', '/usr/bin/python3'].filter((c): c is string => Boolean(c));
  for (const py of candidates) {
    const r = spawnSync(py, ['-c', 'import kubernetes'], { stdio: 'ignore', timeout: 20_000 });
    if (r.status === 0) return py;
  }
  return undefined;
})();

/** Runs `script` with the Python client and returns what its last stdout line holds, as JSON. */
export async function runPythonClient(script: string, kubeconfig: string, env: Record<string, string> = {}, timeoutMs = 60_000): Promise<any> {
  if (!pythonWithClient) throw new Error('no Python interpreter with the kubernetes client');
  const child = track(spawn(pythonWithClient, ['-'], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, LANG: 'C.UTF-8', KUBECONFIG: kubeconfig, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  }));
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (d) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d) => (err += d));
  child.stdin!.end(script);
  const timer = setTimeout(() => { if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL'); }, timeoutMs);
  const { code, signal } = await exitOf(child);
  clearTimeout(timer);
  if (code !== 0) throw new Error(`python client script failed (${code ?? signal}):\n${err}\n${out}`);
  const last = out.trim().split('\n').pop() ?? '';
  return JSON.parse(last);
}
