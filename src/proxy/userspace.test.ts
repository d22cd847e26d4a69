// The userspace proxy on loopback: Service addresses are 127.0.X.y (local already, so the `ip`
// commands are only recorded), endpoints are small servers on other 127.0.X.y addresses.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server } from 'node:net';
import { realClock } from '../apimachinery/clock.js';
import { resourceForKind } from '../client/rest.js';
import { UserspaceProxier } from './userspace.js';
import {
  HandFedInformers, makeService, makeSlice, namedTcpServer, namedUdpServer, recordingIpRunner, tcpHello, udpAsk,
  type HandFedInformer, type Obj,
} from './userspace-testing.js';

const net = `127.0.${10 + Math.floor(Math.random() * 240)}`;
const ip = (n: number) => `${net}.${n}`;
const SVC_PORT = 18080;
const EP_PORT = 19090;

async function poll<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Connects, reads the endpoint's name, and closes. */
async function who(host: string, port = SVC_PORT): Promise<string> {
  const r = await tcpHello(host, port);
  r.socket.destroy();
  return r.line ?? `error: ${r.error}`;
}

describe('userspace proxier', () => {
  const informers = new HandFedInformers();
  const services = informers.of<Obj>(resourceForKind('v1', 'Service')) as HandFedInformer<Obj>;
  const slices = informers.of<Obj>(resourceForKind('discovery.k8s.io/v1', 'EndpointSlice')) as HandFedInformer<Obj>;
  const ipRunner = recordingIpRunner(`1: lo    inet ${ip(9)}/32 scope global lo\\       valid_lft forever preferred_lft forever`);
  const servers: Server[] = [];
  const udpServers: UdpSocket[] = [];
  const abort = new AbortController();
  let proxier: UserspaceProxier;
  let running: Promise<void>;

  before(async () => {
    for (const n of [11, 12, 13]) servers.push(await namedTcpServer(ip(n), EP_PORT, `ep${n}`));
    for (const n of [11, 12]) udpServers.push(await namedUdpServer(ip(n), EP_PORT, `ep${n}`));
    services.put(makeService('rr', ip(2), { ports: [{ name: 'p', port: SVC_PORT, protocol: 'TCP' }] }));
    slices.put(makeSlice('rr', EP_PORT, [ip(11), ip(12), ip(13)]));
    proxier = new UserspaceProxier({ informers, nodeName: 'n1', nodeIPs: [ip(50)], addressRunner: ipRunner.run, clock: realClock });
    running = proxier.start(abort.signal);
    await proxier.ready;
  });

  after(async () => {
    abort.abort();
    await running;
    for (const s of servers) s.close();
    for (const s of udpServers) s.close();
  });

  it('adds the ClusterIP to lo with its label', () => {
    assert.ok(ipRunner.commands.includes(`addr replace ${ip(2)}/32 dev lo label lo:kp`), ipRunner.commands.join('\n'));
  });

  it('sends connections to three endpoints in turn', async () => {
    const seen: string[] = [];
    for (let i = 0; i < 6; i++) seen.push(await who(ip(2)));
    assert.deepEqual(seen.slice(0, 3).sort(), ['ep11', 'ep12', 'ep13']);
    assert.deepEqual(seen.slice(3), seen.slice(0, 3));
  });

  it('passes data both ways and a half-close on to the endpoint and back', async () => {
    const r = await tcpHello(ip(2), SVC_PORT);
    assert.ok(r.line, r.error);
    const echoed = new Promise<string>((resolve) => {
      let buf = '';
      r.socket.on('data', (d: string) => { buf += d; });
      r.socket.on('end', () => resolve(buf));
    });
    r.socket.write('x'.repeat(200_000));
    r.socket.end();
    assert.equal((await echoed).length, 200_000);
    r.socket.destroy();
  });

  it('moves on past an endpoint that refuses connections', async () => {
    services.put(makeService('retry', ip(3), { ports: [{ name: 'p', port: SVC_PORT, protocol: 'TCP' }] }));
    slices.put(makeSlice('retry', EP_PORT, [ip(11), ip(21)]));
    await poll('the retry Service', async () => ((await who(ip(3))) === 'ep11' ? true : undefined));
    const before = proxier.stats().dialFailures;
    for (let i = 0; i < 4; i++) assert.equal(await who(ip(3)), 'ep11');
    assert.ok(proxier.stats().dialFailures > before);
  });

  it('keeps a client on one endpoint with ClientIP affinity', async () => {
    services.put(makeService('sticky', ip(4), { sessionAffinity: 'ClientIP', ports: [{ name: 'p', port: SVC_PORT, protocol: 'TCP' }] }));
    slices.put(makeSlice('sticky', EP_PORT, [ip(11), ip(12), ip(13)]));
    const first = await poll('the sticky Service', async () => {
      const w = await who(ip(4));
      return w.startsWith('ep') ? w : undefined;
    });
    for (let i = 0; i < 5; i++) assert.equal(await who(ip(4)), first);
  });

  it('relays UDP per client, with replies from the service address', async () => {
    services.put(makeService('dns', ip(5), { ports: [{ name: 'p', port: SVC_PORT, protocol: 'UDP' }] }));
    slices.put(makeSlice('dns', EP_PORT, [ip(11), ip(12)], { protocol: 'UDP' }));
    const a = createSocket('udp4');
    const b = createSocket('udp4');
    try {
      const first = await poll('the UDP Service', async () => (await udpAsk(ip(5), SVC_PORT, 'hi', 300, a)).reply);
      const again = await udpAsk(ip(5), SVC_PORT, 'again', 1000, a);
      assert.equal(again.from, `${ip(5)}:${SVC_PORT}`);
      assert.equal(again.reply, `${first.split(':')[0]}:again`, 'one client stays with its endpoint');
      const other = await udpAsk(ip(5), SVC_PORT, 'hi', 1000, b);
      assert.notEqual(other.reply?.split(':')[0], first.split(':')[0], 'the next client goes to the next endpoint');
    } finally {
      a.close();
      b.close();
    }
  });

  it('resets TCP connections and drops UDP datagrams when a Service has no endpoints', async () => {
    services.put(makeService('empty', ip(6), { ports: [{ name: 'p', port: SVC_PORT, protocol: 'TCP' }, { name: 'u', port: SVC_PORT, protocol: 'UDP' }] }));
    const before = proxier.stats().noEndpoint;
    const r = await poll('the empty Service', async () => {
      const w = await who(ip(6));
      return w === 'error: ECONNREFUSED' ? undefined : w;
    });
    assert.match(r, /^error: (ECONNRESET|closed)$/);
    assert.equal((await udpAsk(ip(6), SVC_PORT, 'hi', 300)).reply, undefined);
    assert.ok(proxier.stats().noEndpoint >= before + 2);
  });

  it('opens NodePorts on the node IPs and honours internalTrafficPolicy Local', async () => {
    services.put(makeService('np', ip(7), { type: 'NodePort', internalTrafficPolicy: 'Local', ports: [{ name: 'p', port: SVC_PORT, nodePort: 31234, protocol: 'TCP' }] }));
    slices.put(makeSlice('np', EP_PORT, [{ ip: ip(11), nodeName: 'n2' }, { ip: ip(12), nodeName: 'n1' }]));
    await poll('the NodePort', async () => ((await who(ip(50), 31234)).startsWith('ep') ? true : undefined));
    const viaNodePort = new Set<string>();
    for (let i = 0; i < 4; i++) viaNodePort.add(await who(ip(50), 31234));
    assert.deepEqual([...viaNodePort].sort(), ['ep11', 'ep12']);
    for (let i = 0; i < 3; i++) assert.equal(await who(ip(7)), 'ep12');
  });

  it('listens on externalIPs this host holds, and passes over the others', async () => {
    services.put(makeService('ext', ip(15), { externalIPs: [ip(51), '192.0.2.123'], ports: [{ name: 'p', port: SVC_PORT, protocol: 'TCP' }] }));
    slices.put(makeSlice('ext', EP_PORT, [ip(13)]));
    await poll('the externalIP', async () => ((await who(ip(51))) === 'ep13' ? true : undefined));
    const bindFailures = proxier.stats().bindFailures;
    services.remove(services.store.get('default/ext')!);
    await poll('the externalIP to close', async () => ((await who(ip(51))) === 'error: ECONNREFUSED' ? true : undefined));
    assert.equal(proxier.stats().bindFailures, bindFailures);
  });

  it('keeps open connections through updates; a removed Service closes its listener and drops its address', async () => {
    const open = await tcpHello(ip(2), SVC_PORT);
    assert.ok(open.line, open.error);
    const echo = (text: string) => new Promise<string>((resolve) => {
      open.socket.once('data', (d: string) => resolve(d));
      open.socket.write(text);
    });
    slices.put(makeSlice('rr', EP_PORT, [ip(11), ip(12)]));
    services.put(makeService('other', ip(8), { ports: [{ name: 'p', port: SVC_PORT, protocol: 'TCP' }] }));
    await poll('the update', async () => (proxier.stats().addresses.includes(ip(8)) ? true : undefined));
    assert.equal(await echo('still'), 'still');
    const rr = services.store.get('default/rr')!;
    services.remove(rr);
    await poll('the listener to close', async () => ((await who(ip(2))) === 'error: ECONNREFUSED' ? true : undefined));
    assert.equal(await echo('finishing'), 'finishing', 'an open connection may finish');
    open.socket.destroy();
    assert.ok(ipRunner.commands.includes(`addr del ${ip(2)}/32 dev lo`));
    assert.equal(proxier.stats().addresses.includes(ip(2)), false);
  });

  it('never adds or removes an address that was there before', async () => {
    services.put(makeService('mine', ip(9), { ports: [{ name: 'p', port: SVC_PORT, protocol: 'TCP' }] }));
    await poll('the listener', async () => (proxier.stats().listeners > 0 && (await who(ip(9))) === 'error: ECONNRESET' ? true : undefined));
    services.remove(services.store.get('default/mine')!);
    await poll('the listener to close', async () => ((await who(ip(9))) === 'error: ECONNREFUSED' ? true : undefined));
    assert.equal(ipRunner.commands.some((c) => c.includes(`${ip(9)}/32`)), false);
  });

  it('survives resets from endpoints and clients, and counts them', async () => {
    const resetting = createServer((s) => {
      s.on('error', () => {});
      s.write('reset\n', () => setTimeout(() => s.resetAndDestroy(), 20));
    });
    await new Promise<void>((resolve) => resetting.listen({ host: ip(14), port: EP_PORT }, () => resolve()));
    servers.push(resetting);
    services.put(makeService('flaky', ip(10), { ports: [{ name: 'p', port: SVC_PORT, protocol: 'TCP' }] }));
    slices.put(makeSlice('flaky', EP_PORT, [ip(14)]));
    const before = proxier.stats().socketErrors;
    const r = await poll('the flaky Service', async () => {
      const h = await tcpHello(ip(10), SVC_PORT);
      return h.line ? h : (h.socket.destroy(), undefined);
    });
    const ended = await new Promise<string>((resolve) => {
      r.socket.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
      r.socket.on('close', () => resolve('closed'));
    });
    assert.match(ended, /ECONNRESET|closed/);
    const c = await tcpHello(ip(10), SVC_PORT);
    c.socket.resetAndDestroy();
    await poll('the errors to be counted', () => (proxier.stats().socketErrors > before ? true : undefined));
    assert.equal(await who(ip(2)), 'error: ECONNREFUSED', 'the proxier is still up (rr was removed)');
    assert.match(await who(ip(3)), /^ep11$/);
  });

  it('closes every listener and removes its addresses when stopped', async () => {
    assert.ok(ipRunner.addresses().length > 1);
    abort.abort();
    await running;
    assert.equal(proxier.stats().listeners, 0);
    for (const n of [3, 4, 6, 7, 8, 10]) assert.equal(await who(ip(n)), 'error: ECONNREFUSED');
    assert.equal(await who(ip(50), 31234), 'error: ECONNREFUSED');
    assert.deepEqual(ipRunner.addresses(), [`${ip(9)}/32`]);
  });
});
