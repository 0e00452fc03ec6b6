'use strict';
// The package's two entry points give the same functions, and the types name each of them.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const NAMES = ['startAgent', 'verifyToken', 'signToken', 'clusterPrimary', 'clusterWorker', 'SERVICE_RESTART'];

test('CommonJS require and ESM import of @farmgate/agent give the same exports', async () => {
  const cjs = require('@farmgate/agent');
  const esm = await import('@farmgate/agent');
  for (const name of NAMES) {
    assert.ok(cjs[name] !== undefined, `require: ${name}`);
    assert.equal(esm[name], cjs[name], `import: ${name}`);
  }
  assert.equal(esm.default, cjs);
  assert.equal(cjs.SERVICE_RESTART, 1012);
});

test('index.d.ts declares every export', () => {
  const types = fs.readFileSync(path.join(__dirname, '..', 'index.d.ts'), 'utf8');
  for (const name of NAMES) {
    assert.match(types, new RegExp(`export (declare )?(function|const) ${name}\\b`), name);
  }
});

test('package.json: one runtime dependency, optional ws/socket.io peers, Node 20+', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8'));
  assert.deepEqual(Object.keys(pkg.dependencies), ['ioredis']);
  assert.equal(pkg.peerDependenciesMeta.ws.optional, true);
  assert.equal(pkg.peerDependenciesMeta['socket.io'].optional, true);
  assert.equal(pkg.engines.node, '>=20');
});
