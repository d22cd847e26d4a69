// Structured logging: one JSON object a line, or a readable line when writing to a terminal.

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  /** A logger whose lines carry these fields too (e.g. `{ component: 'scheduler' }`). */
  with(fields: Record<string, unknown>): Logger;
}

export interface LogSink {
  write(line: string): void;
}

const order: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

export function createLogger(opts: { sink: LogSink; human: boolean; level?: LogLevel; fields?: Record<string, unknown> }): Logger {
  const min = order[opts.level ?? 'info'];
  const base = opts.fields ?? {};
  const emit = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (order[level] < min) return;
    const all = { ...base, ...fields };
    if (opts.human) {
      const component = all.component ? `${String(all.component)}: ` : '';
      delete all.component;
      const rest = Object.entries(all).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ');
      const tag = level === 'info' ? '' : `${level.toUpperCase()} `;
      opts.sink.write(`${tag}${component}${msg}${rest ? `  ${rest}` : ''}\n`);
    } else {
      opts.sink.write(`${JSON.stringify({ time: new Date().toISOString(), level, msg, ...all })}\n`);
    }
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    with: (fields) => createLogger({ ...opts, fields: { ...base, ...fields } }),
  };
}

export const silentLogger: Logger = {
  debug() {}, info() {}, warn() {}, error() {},
  with() { return silentLogger; },
};
