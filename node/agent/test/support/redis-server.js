'use strict';
// A real redis-server process on a free loopback port, for the tests. Stopped by its own pid only.
const { spawn, execFileSync } = require('node:child_process');
const net = require('node:net');
const { waitFor } = require('./wait');

function redisServerMissing() {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
    return false;
  } catch {
    return 'redis-server not found (Debian package redis-server)';
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function answers(port) {
  return new Promise((resolve) => {
    const c = net.connect(port, '127.0.0.1');
    c.setTimeout(500);
    c.once('connect', () => c.write('PING\r\n'));
    c.once('data', (d) => {
      c.destroy();
      resolve(d.toString().startsWith('+PONG'));
    });
    c.once('error', () => resolve(false));
    c.once('timeout', () => {
      c.destroy();
      resolve(false);
    });
  });
}

class RedisServer {
  constructor(port) {
    this.port = port;
    this.proc = null;
  }

  static async start() {
    const r = new RedisServer(await freePort());
    await r.restart();
    return r;
  }

  get uri() {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts (again) on the same port, empty: no persistence. */
  async restart() {
    this.proc = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '',
      '--appendonly', 'no', '--daemonize', 'no', '--loglevel', 'warning'], { stdio: 'ignore' });
    const proc = this.proc;
    await waitFor(() => answers(this.port), { timeoutMillis: 10000, what: `redis-server on ${this.port}` });
    return proc;
  }

  /** SIGKILL, as a crash would; resolves once the process is gone. */
  async kill() {
    const proc = this.proc;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const gone = new Promise((resolve) => proc.once('exit', resolve));
    proc.kill('SIGKILL');
    await gone;
  }
}

module.exports = { RedisServer, redisServerMissing, freePort };
