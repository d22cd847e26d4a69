import { test } from 'node:test';
import assert from 'node:assert/strict';
import { main } from './main.js';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: { stdout: { write: (s: string) => out.push(s), isTTY: false }, stderr: { write: (s: string) => err.push(s) } },
    out: () => out.join(''),
    err: () => err.join(''),
  };
}

test('kite --help lists the commands with examples', async () => {
  const c = capture();
  assert.equal(await main(['--help'], c.io), 0);
  assert.match(c.out(), /Usage: kite/);
  assert.match(c.out(), /server \[options\]/);
  assert.match(c.out(), /Examples:\n\s+\$ kite server/);
  assert.match(c.out(), /export KUBECONFIG=\/var\/lib\/kite\/kubeconfig\.yaml; kubectl get ns/);
});

test('kite server --help shows every flag', async () => {
  const c = capture();
  assert.equal(await main(['server', '--help'], c.io), 0);
  for (const flag of ['--data-dir', '--port', '--bind-address', '--advertise-address', '--datastore-endpoint', '--disable-agent', '--disable-scheduler', '--scheduler-config', '--log-format']) {
    assert.ok(c.out().includes(flag), `help mentions ${flag}`);
  }
});

test('kite scheduler --help shows its flags and a config example', async () => {
  const c = capture();
  assert.equal(await main(['scheduler', '--help'], c.io), 0);
  for (const flag of ['--kubeconfig', '--context', '--config', '--leader-elect', '--log-format']) assert.ok(c.out().includes(flag), `help mentions ${flag}`);
  assert.match(c.out(), /Examples:\n\s+\$ kite scheduler --kubeconfig/);
  assert.match(c.out(), /kind: KubeSchedulerConfiguration/);
});

test('a bad --scheduler-config exits 2 naming the file and the field, before anything starts', async () => {
  const c = capture();
  assert.equal(await main(['server', '--scheduler-config', '/nonexistent/scheduler.yaml'], c.io), 2);
  assert.match(c.err(), /^kite: --scheduler-config: cannot read \/nonexistent\/scheduler\.yaml/);
  assert.equal(c.out(), '');
});

test('kite --version prints the package version', async () => {
  const c = capture();
  assert.equal(await main(['--version'], c.io), 0);
  assert.match(c.out(), /^\d+\.\d+\.\d+/);
});

test('a bad flag value exits 2 with the reason before anything starts', async () => {
  const c = capture();
  assert.equal(await main(['server', '--datastore-endpoint', 'mysql://db/kite'], c.io), 2);
  assert.match(c.err(), /kite: --datastore-endpoint: unsupported scheme "mysql"/);
  assert.equal(c.out(), '');
});

test('an unknown option or command is a usage error', async () => {
  const c = capture();
  assert.equal(await main(['server', '--no-such-flag'], c.io), 1);
  assert.match(c.err(), /unknown option '--no-such-flag'/);
  const d = capture();
  assert.equal(await main(['serve'], d.io), 1);
  assert.match(d.err(), /unknown command 'serve'/);
  const e = capture();
  assert.equal(await main(['server', '--log-format', 'yaml'], e.io), 1);
  assert.match(e.err(), /Allowed choices are json, text/);
});
