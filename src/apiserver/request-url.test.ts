import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRequestURL } from './request-url.js';

type Outcome = { pathname: string; query: [string, string][] } | 'invalid';

function viaURL(raw: string): Outcome {
  try {
    const u = new URL(raw, 'https://localhost');
    return { pathname: u.pathname, query: [...u.searchParams] };
  } catch {
    return 'invalid';
  }
}

function parsed(raw: string): Outcome {
  try {
    const r = parseRequestURL(raw);
    return { pathname: r.pathname, query: [...r.searchParams] };
  } catch {
    return 'invalid';
  }
}

describe('parseRequestURL', () => {
  const cases = [
    '/', '/api/v1/namespaces/default/pods', '/api/v1/namespaces/default/pods/p-1/binding',
    '/api/v1/pods?watch=1&resourceVersion=10&labelSelector=app%3Dx', '/apis/apps/v1/deployments/',
    '/api/v1/pods?fieldSelector=spec.nodeName=&limit=500', '/api?', '/api?a=b+c&a=%20d', '/a//b', '/a/./b', '/a/../b',
    '/a/%2e%2e/b', '/a/.', '/a/..', '//evil/x', '/a b', '/a\tb', '/a?b c', '/a?b=c ', '/a#frag', '/a?b=c#frag',
    '/a/%7e/%41', '/ünï/çødé?q=ü', '/a\\b', '/x?q="<>\'', '/api/v1/namespaces/default/pods/name.with.dots',
    '/a/.hidden/..x/...', '/a?%zz=1&x=%', '/a?', '/a?&&=&',
  ];
  for (const raw of cases) {
    test(JSON.stringify(raw), () => assert.deepEqual(parsed(raw), viaURL(raw)));
  }

  test('agrees with URL on random paths and queries', () => {
    const alphabet = ['a', 'Z', '0', '/', '.', '..', '%', '%2e', '%2F', '?', '#', '&', '=', '+', ' ', '\t', '\\', 'ü', '~', ':', '@', '"', "'", '%41'];
    let seed = 42;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    for (let i = 0; i < 5000; i++) {
      let raw = '/';
      const len = rand(12);
      for (let j = 0; j < len; j++) raw += alphabet[rand(alphabet.length)];
      assert.deepEqual(parsed(raw), viaURL(raw), JSON.stringify(raw));
    }
  });
});
