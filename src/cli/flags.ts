// `kite server` flags: pure parsing and defaults, kept apart from commander so they can be tested.
import { isIP } from 'node:net';
import { join, resolve } from 'node:path';

export type Datastore =
  | { driver: 'sqlite'; path: string }
  | { driver: 'etcd'; endpoints: string[] };

export type LogFormat = 'json' | 'text';

export interface ServerFlags {
  dataDir: string;
  port: number;
  bindAddress: string;
  advertiseAddress?: string;
  datastore: Datastore;
  disableAgent: boolean;
  logFormat: LogFormat;
}

/** Flag values as commander hands them over: strings, or absent when not given. */
export interface RawServerFlags {
  dataDir?: string;
  port?: string;
  bindAddress?: string;
  advertiseAddress?: string;
  datastoreEndpoint?: string;
  disableAgent?: boolean;
  logFormat?: string;
}

/** What the defaults depend on, read from the process by the caller. */
export interface FlagEnvironment {
  /** `process.getuid()`; undefined where there are no uids. */
  uid: number | undefined;
  home: string;
  cwd: string;
  /** Whether stdout is a terminal. */
  isTTY: boolean;
}

export const defaultPort = 6443;
export const defaultBindAddress = '0.0.0.0';
export const rootDataDir = '/var/lib/kite';

export class FlagError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FlagError';
  }
}

/** `/var/lib/kite` for root, `~/.kite` for everyone else. */
export function defaultDataDir(env: Pick<FlagEnvironment, 'uid' | 'home'>): string {
  return env.uid === 0 ? rootDataDir : join(env.home, '.kite');
}

export function defaultSqlitePath(dataDir: string): string {
  return join(dataDir, 'db', 'state.db');
}

const endpointHelp = 'use sqlite://<path> or http://<host>:2379[,http://<host>:2379...]';

/**
 * Reads `--datastore-endpoint`: absent or empty → SQLite under the data dir; `sqlite://<path>` →
 * SQLite at that path (relative to `cwd`); a comma-separated list of `http(s)://host:port` → etcd.
 */
export function parseDatastoreEndpoint(value: string | undefined, dataDir: string, cwd = process.cwd()): Datastore {
  const text = (value ?? '').trim();
  if (text === '') return { driver: 'sqlite', path: defaultSqlitePath(dataDir) };
  if (text.startsWith('sqlite://')) {
    const path = text.slice('sqlite://'.length);
    return { driver: 'sqlite', path: path === '' ? defaultSqlitePath(dataDir) : resolve(cwd, path) };
  }
  const endpoints = text.split(',').map((e) => e.trim()).filter((e) => e !== '');
  for (const endpoint of endpoints) {
    let url: URL;
    try {
      url = new URL(endpoint);
    } catch {
      throw new FlagError(`--datastore-endpoint: "${endpoint}" is not a URL; ${endpointHelp}`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new FlagError(`--datastore-endpoint: unsupported scheme "${url.protocol.replace(/:$/, '')}" in "${endpoint}"; ${endpointHelp}`);
    }
    if (url.hostname === '' || (url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.username !== '') {
      throw new FlagError(`--datastore-endpoint: "${endpoint}" must be just scheme://host:port; ${endpointHelp}`);
    }
  }
  if (endpoints.length === 0) throw new FlagError(`--datastore-endpoint: no endpoints in "${text}"; ${endpointHelp}`);
  // Canonical form, without the trailing slash URL adds.
  return { driver: 'etcd', endpoints: endpoints.map((e) => { const u = new URL(e); return `${u.protocol}//${u.host}`; }) };
}

export function parsePort(value: string | undefined): number {
  if (value === undefined) return defaultPort;
  const text = value.trim();
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) throw new FlagError(`--port: "${value}" is not a port number (0-65535)`);
  return port;
}

function parseIP(flag: string, value: string): string {
  const ip = value.trim().replace(/^\[(.*)\]$/, '$1');
  if (isIP(ip) === 0) throw new FlagError(`${flag}: "${value}" is not an IP address`);
  return ip;
}

export function parseLogFormat(value: string | undefined, isTTY: boolean): LogFormat {
  if (value === undefined) return isTTY ? 'text' : 'json';
  if (value === 'json' || value === 'text') return value;
  throw new FlagError(`--log-format: "${value}" is not one of json, text`);
}

/** All `kite server` flags with their defaults applied; throws `FlagError` on a bad value. */
export function parseServerFlags(raw: RawServerFlags, env: FlagEnvironment): ServerFlags {
  const dataDir = raw.dataDir !== undefined && raw.dataDir.trim() !== '' ? resolve(env.cwd, raw.dataDir) : defaultDataDir(env);
  const flags: ServerFlags = {
    dataDir,
    port: parsePort(raw.port),
    bindAddress: parseIP('--bind-address', raw.bindAddress ?? defaultBindAddress),
    datastore: parseDatastoreEndpoint(raw.datastoreEndpoint, dataDir, env.cwd),
    disableAgent: raw.disableAgent === true,
    logFormat: parseLogFormat(raw.logFormat, env.isTTY),
  };
  if (raw.advertiseAddress !== undefined) flags.advertiseAddress = parseIP('--advertise-address', raw.advertiseAddress);
  return flags;
}

/** Host part of a URL for an IP: IPv6 in brackets. */
export function urlHost(ip: string): string {
  return isIP(ip) === 6 ? `[${ip}]` : ip;
}

/** The address a local client dials to reach a server bound to `bindAddress`. */
export function localClientAddress(bindAddress: string): string {
  if (bindAddress === '0.0.0.0' || bindAddress === '::' || bindAddress === '127.0.0.1') return '127.0.0.1';
  return bindAddress;
}
