// The one place a long-running `kite` command turns SIGINT/SIGTERM into an abort signal.
import type { Logger } from '../apimachinery/log.js';

/** Runs `run` with a signal that aborts on SIGINT/SIGTERM; a second signal exits at once. */
export async function untilSignalled(logger: Logger, run: (signal: AbortSignal) => Promise<number>): Promise<number> {
  const controller = new AbortController();
  let signals = 0;
  const onSignal = (name: NodeJS.Signals) => {
    signals++;
    if (signals > 1) {
      logger.warn(`received ${name} again, exiting now`);
      process.exit(name === 'SIGINT' ? 130 : 143);
    }
    logger.info(`received ${name}`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await run(controller.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** commander's collector for a flag given several times. */
export const repeatable = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];
