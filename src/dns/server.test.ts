import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as dnsPacket from 'dns-packet';
import type { DecodedPacket } from 'dns-packet';
import { startTestServer, type TestServer } from '../apiserver/testing/fixture.js';
import { realClock } from '../apimachinery/clock.js';
import { createInformerFactory } from '../client/informers.js';
import { ApiClient } from '../client/rest.js';
import { inProcessTransport } from '../client/transport.js';
import { DnsServer } from './server.js';
import { encodeQuery, queryTcp, queryUdp, rawTcp, rawUdp, startFakeUpstream, type FakeUpstream } from './testing.js';

type Obj = any;
const D = 'cluster.local';

const data = (p: DecodedPacket, type = 'A') => (p.answers ?? []).filter((a) => a.type === type).map((a) => (a as { data: unknown }).data);
const rcode = (p: DecodedPacket) => (p as unknown as { rcode: string }).rcode;

function slice(name: string, svc: string, endpoints: Obj[], opts: { type?: string; ports?: Obj[] } = {}): Obj {
  return {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
    metadata: { name, labels: { 'kubernetes.io/service-name': svc } },
    addressType: opts.type ?? 'IPv4', endpoints, ports: opts.ports ?? [],
  };
}

describe('cluster DNS server', () => {
  let s: TestServer;
  let client: ApiClient;
  let upstream: FakeUpstream;
  let dns: DnsServer;
  let port = 0;
  let webIP = '';
  const abort = new AbortController();
  let running: Promise<void>;

  const svc = (ns: string, spec: Obj, name: string) => client.kind<Obj>('v1', 'Service').create(ns, { apiVersion: 'v1', kind: 'Service', metadata: { name }, spec });
  const slices = () => client.kind<Obj>('discovery.k8s.io/v1', 'EndpointSlice');

  /** Queries until `check` holds (the informers catch up asynchronously); the last answer. */
  async function until(name: string, type: dnsPacket.RecordType, check: (p: DecodedPacket) => boolean): Promise<DecodedPacket> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const p = await queryUdp(port, name, type);
      if (check(p) || Date.now() > deadline) return p;
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  before(async () => {
    s = await startTestServer();
    client = new ApiClient(inProcessTransport(() => s.server.connectInProcess({ name: 'admin', groups: ['system:masters'] })));
    upstream = await startFakeUpstream((q) => {
      if (q.name === 'silent.example.test') return 'silent';
      if (q.name === 'broken.example.test') return 'servfail';
      if (q.type === 'PTR') return [{ type: 'PTR', name: q.name, ttl: 60, data: 'host.example.test' }];
      return [{ type: 'A', name: q.name, ttl: 60, data: '192.0.2.10' }];
    });
    await client.kind<Obj>('v1', 'Namespace').create(undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apps' } });
    const web = await svc('apps', { ports: [{ name: 'http', port: 80, protocol: 'TCP' }] }, 'web');
    webIP = web.spec.clusterIP;
    await svc('apps', { clusterIP: 'None', ports: [{ name: 'pg', port: 5432 }] }, 'db');
    await slices().create('apps', slice('db-1', 'db', [
      { addresses: ['10.42.1.5'], hostname: 'db-0', conditions: { ready: true } },
      { addresses: ['10.42.1.6'], conditions: { ready: true } },
      { addresses: ['10.42.1.7'], conditions: { ready: false } },
    ], { ports: [{ name: 'pg', port: 15432, protocol: 'TCP' }] }));
    await svc('apps', { clusterIP: 'None', ports: [{ port: 1 }] }, 'empty');
    await svc('apps', { clusterIP: 'None', publishNotReadyAddresses: true, ports: [{ port: 1 }] }, 'all');
    await slices().create('apps', slice('all-1', 'all', [{ addresses: ['10.42.2.1'], conditions: { ready: false } }]));
    await svc('apps', { clusterIP: 'None', ports: [{ port: 1 }] }, 'v6');
    await slices().create('apps', slice('v6-1', 'v6', [{ addresses: ['fd00::5'], conditions: { ready: true } }], { type: 'IPv6' }));
    await svc('apps', { clusterIP: 'None', ports: [{ port: 1 }] }, 'big');
    await slices().create('apps', slice('big-1', 'big', Array.from({ length: 40 }, (_, i) => ({ addresses: [`10.42.3.${i + 1}`] }))));
    await svc('apps', { type: 'ExternalName', externalName: 'www.example.test' }, 'ext');
    await svc('apps', { type: 'ExternalName', externalName: `web.apps.svc.${D}` }, 'alias');

    const informers = createInformerFactory(client, { clock: realClock });
    dns = new DnsServer({ informers, listen: ['127.0.0.1:0'], upstreams: [`127.0.0.1:${upstream.port}`], forwardTimeoutMs: 300 });
    running = dns.start(abort.signal);
    await dns.ready;
    port = dns.addresses().udp[0]!.port;
    assert.equal(dns.addresses().tcp[0]!.port, port);
  });

  after(async () => {
    abort.abort();
    await running;
    await upstream.close();
    client.close();
    await s.close();
  });

  it('answers a ClusterIP Service with its address, authoritatively, with a 5 s TTL, over UDP and TCP', async () => {
    const p = await until(`web.apps.svc.${D}`, 'A', (r) => data(r).length > 0);
    assert.equal(rcode(p), 'NOERROR');
    assert.deepEqual(data(p), [webIP]);
    assert.equal(p.flag_aa, true);
    assert.equal((p.answers![0] as { ttl?: number }).ttl, 5);
    const t = await queryTcp(port, `web.apps.svc.${D}`, 'A');
    assert.deepEqual(data(t), [webIP]);
    const mixed = await queryUdp(port, `WEB.Apps.svc.${D}`, 'A');
    assert.deepEqual(data(mixed), [webIP]);
    assert.equal(mixed.answers![0]!.name, `WEB.Apps.svc.${D}`);
  });

  it('tells NODATA (NOERROR, empty, SOA) from NXDOMAIN', async () => {
    const aaaa = await queryUdp(port, `web.apps.svc.${D}`, 'AAAA');
    assert.equal(rcode(aaaa), 'NOERROR');
    assert.equal(aaaa.answers!.length, 0);
    assert.equal(aaaa.authorities![0]!.type, 'SOA');
    const nx = await queryUdp(port, `nope.apps.svc.${D}`, 'A');
    assert.equal(rcode(nx), 'NXDOMAIN');
    assert.equal(nx.authorities![0]!.type, 'SOA');
    assert.equal(rcode(await queryUdp(port, `apps.svc.${D}`, 'A')), 'NOERROR');
    assert.equal(rcode(await queryUdp(port, `ghost.svc.${D}`, 'A')), 'NXDOMAIN');
    assert.equal(rcode(await queryUdp(port, `svc.${D}`, 'A')), 'NOERROR');
    assert.equal(rcode(await queryUdp(port, `other.${D}`, 'A')), 'NXDOMAIN');
    assert.equal(rcode(await queryUdp(port, `_tcp.web.apps.svc.${D}`, 'SRV')), 'NOERROR');
    const soa = await queryUdp(port, D, 'SOA');
    assert.equal(soa.answers![0]!.type, 'SOA');
    const version = await queryUdp(port, `dns-version.${D}`, 'TXT');
    assert.deepEqual(data(version, 'TXT').map((d) => String((d as Buffer[])[0])), ['1.1.0']);
  });

  it('answers SRV for named ports only, with the Service as target and its address in the additional section', async () => {
    const p = await queryUdp(port, `_http._tcp.web.apps.svc.${D}`, 'SRV');
    assert.deepEqual(data(p, 'SRV'), [{ priority: 0, weight: 100, port: 80, target: `web.apps.svc.${D}` }]);
    assert.deepEqual(data({ answers: p.additionals } as DecodedPacket), [webIP]);
    assert.equal(rcode(await queryUdp(port, `_metrics._tcp.web.apps.svc.${D}`, 'SRV')), 'NXDOMAIN');
    assert.equal(rcode(await queryUdp(port, `_http._udp.web.apps.svc.${D}`, 'SRV')), 'NXDOMAIN');
    const a = await queryUdp(port, `_http._tcp.web.apps.svc.${D}`, 'A');
    assert.equal(rcode(a), 'NOERROR');
    assert.equal(a.answers!.length, 0);
  });

  it('answers a headless Service with its ready endpoints, their hostnames and per-endpoint SRV targets', async () => {
    const p = await until(`db.apps.svc.${D}`, 'A', (r) => data(r).length > 0);
    assert.deepEqual(data(p).sort(), ['10.42.1.5', '10.42.1.6']);
    assert.deepEqual(data(await queryUdp(port, `db-0.db.apps.svc.${D}`, 'A')), ['10.42.1.5']);
    assert.deepEqual(data(await queryUdp(port, `10-42-1-6.db.apps.svc.${D}`, 'A')), ['10.42.1.6']);
    assert.equal(rcode(await queryUdp(port, `10-42-1-7.db.apps.svc.${D}`, 'A')), 'NXDOMAIN');
    const srv = await queryUdp(port, `_pg._tcp.db.apps.svc.${D}`, 'SRV');
    const targets = data(srv, 'SRV').map((d: any) => `${d.target}:${d.port}`).sort();
    assert.deepEqual(targets, [`10-42-1-6.db.apps.svc.${D}:15432`, `db-0.db.apps.svc.${D}:15432`]);
    assert.equal(rcode(await queryUdp(port, `empty.apps.svc.${D}`, 'A')), 'NXDOMAIN');
    assert.deepEqual(data(await until(`all.apps.svc.${D}`, 'A', (r) => data(r).length > 0)), ['10.42.2.1']);
    const v6 = await until(`v6.apps.svc.${D}`, 'AAAA', (r) => data(r, 'AAAA').length > 0);
    assert.deepEqual(data(v6, 'AAAA'), ['fd00::5']);
    assert.equal(rcode(await queryUdp(port, `v6.apps.svc.${D}`, 'A')), 'NOERROR');
  });

  it('answers ExternalName Services with a CNAME, followed through the zone or the upstream', async () => {
    const ext = await until(`ext.apps.svc.${D}`, 'A', (r) => (r.answers ?? []).length > 0);
    assert.deepEqual(data(ext, 'CNAME'), ['www.example.test']);
    assert.deepEqual(data(ext), ['192.0.2.10']);
    const alias = await queryUdp(port, `alias.apps.svc.${D}`, 'A');
    assert.deepEqual(data(alias, 'CNAME'), [`web.apps.svc.${D}`]);
    assert.deepEqual(data(alias), [webIP]);
  });

  it('answers pod names from the name itself, in existing namespaces', async () => {
    assert.deepEqual(data(await queryUdp(port, `10-42-0-9.apps.pod.${D}`, 'A')), ['10.42.0.9']);
    assert.equal(rcode(await queryUdp(port, `10-42-0-9.ghost.pod.${D}`, 'A')), 'NXDOMAIN');
    assert.equal(rcode(await queryUdp(port, `not-an-ip.apps.pod.${D}`, 'A')), 'NXDOMAIN');
    const aaaa = await queryUdp(port, `10-42-0-9.apps.pod.${D}`, 'AAAA');
    assert.equal(rcode(aaaa), 'NOERROR');
    assert.equal(aaaa.answers!.length, 0);
  });

  it('answers PTR for cluster IPs and endpoint IPs, and forwards other reverse names', async () => {
    const rev = (ip: string) => `${ip.split('.').reverse().join('.')}.in-addr.arpa`;
    assert.deepEqual(data(await queryUdp(port, rev(webIP), 'PTR'), 'PTR'), [`web.apps.svc.${D}`]);
    assert.deepEqual(data(await queryUdp(port, rev('10.42.1.5'), 'PTR'), 'PTR'), [`db-0.db.apps.svc.${D}`]);
    const other = await queryUdp(port, rev('192.0.2.99'), 'PTR');
    assert.deepEqual(data(other, 'PTR'), ['host.example.test']);
    assert.equal(other.flag_aa, false);
  });

  it('forwards other names to the upstream over UDP and TCP, and answers SERVFAIL when it fails', async () => {
    assert.deepEqual(data(await queryUdp(port, 'www.example.test', 'A')), ['192.0.2.10']);
    assert.deepEqual(data(await queryTcp(port, 'tcp.example.test', 'A')), ['192.0.2.10']);
    assert.ok(upstream.questions.includes('www.example.test A'));
    assert.ok(upstream.questions.includes('tcp.example.test A'));
    assert.equal(rcode(await queryUdp(port, 'silent.example.test', 'A')), 'SERVFAIL');
    assert.equal(rcode(await queryUdp(port, 'broken.example.test', 'A')), 'SERVFAIL');
  });

  it('refuses other names when it has no upstreams', async () => {
    const stop = new AbortController();
    const alone = new DnsServer({ informers: createInformerFactory(client, { clock: realClock }), listen: ['127.0.0.1:0'], protocols: ['udp'] });
    const done = alone.start(stop.signal);
    await alone.ready;
    assert.equal(alone.addresses().tcp.length, 0);
    const p = await queryUdp(alone.addresses().udp[0]!.port, 'www.example.test', 'A');
    assert.equal(rcode(p), 'REFUSED');
    stop.abort();
    await done;
  });

  it('truncates UDP answers past 512 bytes unless EDNS0 allows more; TCP carries them whole', async () => {
    await until(`big.apps.svc.${D}`, 'A', (r) => r.flag_tc);
    const small = await queryUdp(port, `big.apps.svc.${D}`, 'A');
    assert.equal(small.flag_tc, true);
    assert.equal(small.answers!.length, 0);
    const edns = await queryUdp(port, `big.apps.svc.${D}`, 'A', { edns: 4096 });
    assert.equal(edns.flag_tc, false);
    assert.equal(data(edns).length, 40);
    assert.ok(edns.additionals!.some((a) => a.type === 'OPT'));
    assert.equal(data(await queryTcp(port, `big.apps.svc.${D}`, 'A')).length, 40);
  });

  it('answers malformed messages with FORMERR (or not at all) and keeps serving', async () => {
    const garbage = Buffer.from([0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x3f, 0x61]);
    const r = await rawUdp(port, garbage);
    assert.ok(r);
    assert.equal(r.readUInt16BE(0), 0x1234);
    assert.equal(rcode(dnsPacket.decode(r)), 'FORMERR');
    assert.equal(await rawUdp(port, Buffer.from([1, 2, 3]), { timeoutMs: 200 }), undefined);
    const two = dnsPacket.encode({ type: 'query', id: 7, questions: [{ type: 'A', name: 'a' }, { type: 'A', name: 'b' }] });
    assert.equal(rcode(dnsPacket.decode((await rawUdp(port, two))!)), 'FORMERR');
    const notify = encodeQuery(`web.apps.svc.${D}`, 'A');
    notify.writeUInt16BE((notify.readUInt16BE(2) & ~0x7800) | (4 << 11), 2);
    assert.equal(rcode(dnsPacket.decode((await rawUdp(port, notify))!)), 'NOTIMP');
    // Pipelined TCP replies may come back in any order: told apart by ID.
    const replies = (await rawTcp(port, [garbage, encodeQuery(`web.apps.svc.${D}`, 'A', { id: 0x5678 })])).map((b) => dnsPacket.decode(b));
    assert.equal(rcode(replies.find((p) => p.id === 0x1234)!), 'FORMERR');
    assert.deepEqual(data(replies.find((p) => p.id === 0x5678)!), [webIP]);
  });

  it('follows changes: endpoints that go and Services deleted', async () => {
    await slices().delete('apps', 'db-1');
    await slices().create('apps', slice('db-2', 'db', [{ addresses: ['10.42.1.8'], conditions: { ready: true } }]));
    const p = await until(`db.apps.svc.${D}`, 'A', (r) => data(r).join() === '10.42.1.8');
    assert.deepEqual(data(p), ['10.42.1.8']);
    await client.kind<Obj>('v1', 'Service').delete('apps', 'web');
    const gone = await until(`web.apps.svc.${D}`, 'A', (r) => rcode(r) === 'NXDOMAIN');
    assert.equal(rcode(gone), 'NXDOMAIN');
  });
});
