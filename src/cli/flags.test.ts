import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FlagError, defaultDataDir, localClientAddress, parseDatastoreEndpoint, parsePort, parseServerFlags, urlHost } from './flags.js';

const userEnv = { uid: 1000, home: '/home/ada', cwd: '/work', isTTY: true };
const rootEnv = { uid: 0, home: '/root', cwd: '/', isTTY: false };

test('defaultDataDir is /var/lib/kite for root and ~/.kite otherwise', () => {
  assert.equal(defaultDataDir({ uid: 0, home: '/root' }), '/var/lib/kite');
  assert.equal(defaultDataDir({ uid: 1000, home: '/home/ada' }), '/home/ada/.kite');
  assert.equal(defaultDataDir({ uid: undefined, home: '/home/ada' }), '/home/ada/.kite');
});

test('parseServerFlags applies the defaults', () => {
  assert.deepEqual(parseServerFlags({}, rootEnv), {
    dataDir: '/var/lib/kite',
    port: 6443,
    bindAddress: '0.0.0.0',
    datastore: { driver: 'sqlite', path: '/var/lib/kite/db/state.db' },
    disableAgent: false,
    logFormat: 'json',
  });
  const user = parseServerFlags({}, userEnv);
  assert.equal(user.dataDir, '/home/ada/.kite');
  assert.deepEqual(user.datastore, { driver: 'sqlite', path: '/home/ada/.kite/db/state.db' });
  assert.equal(user.logFormat, 'text');
  assert.equal(user.advertiseAddress, undefined);
});

test('parseServerFlags reads every flag', () => {
  const flags = parseServerFlags({
    dataDir: 'state', port: '7443', bindAddress: '::', advertiseAddress: '10.0.0.5',
    datastoreEndpoint: 'http://e1:2379,http://e2:2379', disableAgent: true, logFormat: 'json',
  }, userEnv);
  assert.deepEqual(flags, {
    dataDir: '/work/state', port: 7443, bindAddress: '::', advertiseAddress: '10.0.0.5',
    datastore: { driver: 'etcd', endpoints: ['http://e1:2379', 'http://e2:2379'] }, disableAgent: true, logFormat: 'json',
  });
});

test('parseDatastoreEndpoint selects sqlite or etcd', () => {
  assert.deepEqual(parseDatastoreEndpoint(undefined, '/d'), { driver: 'sqlite', path: '/d/db/state.db' });
  assert.deepEqual(parseDatastoreEndpoint('', '/d'), { driver: 'sqlite', path: '/d/db/state.db' });
  assert.deepEqual(parseDatastoreEndpoint('sqlite:///srv/kite.db', '/d'), { driver: 'sqlite', path: '/srv/kite.db' });
  assert.deepEqual(parseDatastoreEndpoint('sqlite://rel/kite.db', '/d', '/cwd'), { driver: 'sqlite', path: '/cwd/rel/kite.db' });
  assert.deepEqual(parseDatastoreEndpoint('sqlite://', '/d'), { driver: 'sqlite', path: '/d/db/state.db' });
  assert.deepEqual(parseDatastoreEndpoint('http://127.0.0.1:2379', '/d'), { driver: 'etcd', endpoints: ['http://127.0.0.1:2379'] });
  assert.deepEqual(parseDatastoreEndpoint('http://a:2379/, https://b:2379', '/d'), { driver: 'etcd', endpoints: ['http://a:2379', 'https://b:2379'] });
  assert.deepEqual(parseDatastoreEndpoint('http://[::1]:2379', '/d'), { driver: 'etcd', endpoints: ['http://[::1]:2379'] });
});

test('parseDatastoreEndpoint rejects what it cannot serve with a clear error', () => {
  assert.throws(() => parseDatastoreEndpoint('postgres://db:5432/kite', '/d'), (err: unknown) =>
    err instanceof FlagError && /unsupported scheme "postgres"/.test(err.message) && /sqlite:\/\/<path>/.test(err.message));
  assert.throws(() => parseDatastoreEndpoint('etcd-host:2379', '/d'), FlagError);
  assert.throws(() => parseDatastoreEndpoint('not a url', '/d'), /is not a URL/);
  assert.throws(() => parseDatastoreEndpoint('http://a:2379,ftp://b', '/d'), /unsupported scheme "ftp"/);
  assert.throws(() => parseDatastoreEndpoint('http://a:2379/v3/kv', '/d'), /must be just scheme:\/\/host:port/);
  assert.throws(() => parseDatastoreEndpoint(',', '/d'), /no endpoints/);
});

test('bad port, address and log format values are FlagErrors', () => {
  assert.equal(parsePort(undefined), 6443);
  assert.equal(parsePort('0'), 0);
  assert.throws(() => parsePort('65536'), FlagError);
  assert.throws(() => parsePort('64k'), FlagError);
  assert.throws(() => parsePort('-1'), FlagError);
  assert.throws(() => parseServerFlags({ bindAddress: 'localhost' }, userEnv), /--bind-address: "localhost" is not an IP address/);
  assert.throws(() => parseServerFlags({ advertiseAddress: '10.0.0' }, userEnv), /--advertise-address/);
  assert.throws(() => parseServerFlags({ logFormat: 'yaml' }, userEnv), /--log-format: "yaml" is not one of json, text/);
});

test('local clients dial loopback for wildcard binds and brackets for IPv6', () => {
  assert.equal(localClientAddress('0.0.0.0'), '127.0.0.1');
  assert.equal(localClientAddress('::'), '127.0.0.1');
  assert.equal(localClientAddress('10.0.0.5'), '10.0.0.5');
  assert.equal(urlHost('::1'), '[::1]');
  assert.equal(urlHost('10.0.0.5'), '10.0.0.5');
});
