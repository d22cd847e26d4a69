// The pause process of our pod sandboxes: a static binary built from a few lines of C. It holds
// the sandbox's namespaces, sleeps until SIGTERM or SIGINT (then exits 0) and reaps the zombies
// that end up re-parented to it. busybox's `sleep` would not do: as PID 1 it ignores SIGTERM.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const PAUSE_SOURCE = `#include <signal.h>
#include <stddef.h>
#include <sys/wait.h>
#include <unistd.h>

static void stop(int sig) { (void)sig; _exit(0); }

static void reap(int sig) {
  (void)sig;
  while (waitpid(-1, NULL, WNOHANG) > 0) {}
}

int main(void) {
  struct sigaction sa = {0};
  sigemptyset(&sa.sa_mask);
  sa.sa_handler = stop;
  if (sigaction(SIGTERM, &sa, NULL) < 0 || sigaction(SIGINT, &sa, NULL) < 0) return 1;
  sa.sa_handler = reap;
  sa.sa_flags = SA_NOCLDSTOP | SA_RESTART;
  if (sigaction(SIGCHLD, &sa, NULL) < 0) return 1;
  for (;;) pause();
}
`;

export const PAUSE_CFLAGS = ['-static', '-O2', '-s'];

/** `gcc -dumpfullversion`, part of what decides whether a built pause image is still current. */
export async function compilerVersion(gcc = 'gcc'): Promise<string> {
  try {
    const { stdout } = await run(gcc, ['-dumpfullversion']);
    return stdout.trim();
  } catch (err) {
    throw new Error(`${gcc} is needed to build the pause image (Debian: apt-get install gcc): ${(err as Error).message}`);
  }
}

/** Compiles the pause program and returns the static binary's bytes. */
export async function compilePause(gcc = 'gcc'): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), 'kite-pause-'));
  try {
    await writeFile(join(dir, 'pause.c'), PAUSE_SOURCE);
    const out = join(dir, 'pause');
    try {
      await run(gcc, [...PAUSE_CFLAGS, '-o', out, join(dir, 'pause.c')]);
    } catch (err) {
      const stderr = (err as { stderr?: string }).stderr ?? '';
      throw new Error(`compiling the pause program with ${gcc} failed: ${stderr.trim() || (err as Error).message}`);
    }
    return await readFile(out);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
