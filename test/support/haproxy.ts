import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import axios from 'axios';

/** Debian's package; HAPROXY_BIN names another binary. */
export const HAPROXY_BIN = process.env.HAPROXY_BIN ?? '/usr/sbin/haproxy';

export const haproxyInstalled = (): boolean => existsSync(HAPROXY_BIN);

/** The response header naming the backend server (`hub0`…) that answered an HTTP request. */
export const SERVED_BY_HEADER = 'x-hub-server';

export interface HaproxyBackendServer {
  /** `hub0`, `hub1`…: what SERVED_BY_HEADER carries. */
  name: string;
  port: number;
}

/**
 * The configuration docs/scaling.md describes (docker/haproxy.cfg is the same for the compose variant):
 * HTTP mode for OCPI and the admin API, balanced round-robin per request; /ocpp/ by least connections,
 * where a WebSocket upgrade becomes a tunnel kept open for `timeout tunnel`; every server health-checked
 * on GET /health (which asks the database), so a dead or database-less instance leaves both pools within
 * two checks; a connection refused by a dead server is tried on another (`option redispatch`).
 */
export function haproxyConfig(listenPort: number, servers: readonly HaproxyBackendServer[], checkIntervalMs = 250, maxconn = 4000): string {
  const lines = (name: string) => servers.map((s) => `  server ${s.name} 127.0.0.1:${s.port} check inter ${checkIntervalMs}ms fall 2 rise 2`);
  return [
    'global',
    `  maxconn ${maxconn}`,
    'defaults',
    '  mode http',
    '  option redispatch',
    '  retries 3',
    '  timeout connect 2s',
    '  timeout client 60s',
    '  timeout server 60s',
    // An OCPP connection is a tunnel once upgraded: chargers heartbeat every few minutes, pings keep it alive.
    '  timeout tunnel 1h',
    '  timeout http-keep-alive 10s',
    'frontend hub',
    `  bind 127.0.0.1:${listenPort}`,
    '  use_backend ocpp if { path_beg /ocpp/ }',
    '  default_backend ocpi_admin',
    'backend ocpi_admin',
    '  balance roundrobin',
    '  option httpchk GET /health',
    '  http-check expect status 200',
    `  http-response set-header X-Hub-Server %s`,
    ...lines('ocpi_admin'),
    'backend ocpp',
    '  balance leastconn',
    '  option httpchk GET /health',
    '  http-check expect status 200',
    ...lines('ocpp'),
    '',
  ].join('\n');
}

export interface RunningHaproxy {
  url: string;
  port: number;
  configPath: string;
  output: string[];
  stop(): Promise<void>;
}

/** HAProxy in the foreground with a generated configuration in a temp folder; resolves once every server is up. */
export async function startHaproxy(listenPort: number, servers: readonly HaproxyBackendServer[]): Promise<RunningHaproxy> {
  const dir = mkdtempSync(path.join(tmpdir(), 'ocpi-hub-haproxy-'));
  const configPath = path.join(dir, 'haproxy.cfg');
  writeFileSync(configPath, haproxyConfig(listenPort, servers));
  const check = spawn(HAPROXY_BIN, ['-c', '-q', '-f', configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  const checkOutput: string[] = [];
  check.stdout!.on('data', (c: Buffer) => checkOutput.push(c.toString()));
  check.stderr!.on('data', (c: Buffer) => checkOutput.push(c.toString()));
  const checked = await new Promise<number | null>((resolve) => check.once('exit', resolve));
  if (checked !== 0) throw new Error(`haproxy refused the generated configuration:\n${checkOutput.join('')}`);

  // -db: stay in the foreground, so the test owns the process and its exit.
  const child: ChildProcess = spawn(HAPROXY_BIN, ['-db', '-f', configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  child.stdout!.on('data', (c: Buffer) => output.push(c.toString()));
  child.stderr!.on('data', (c: Buffer) => output.push(c.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${listenPort}`;
  // Up once every server has answered through it (health checks need `rise` passes first).
  const seen = new Set<string>();
  const deadline = Date.now() + 15_000;
  while (seen.size < servers.length) {
    if (child.exitCode !== null) throw new Error(`haproxy exited: ${output.join('')}`);
    if (Date.now() > deadline) throw new Error(`haproxy: only ${[...seen].join(', ')} answered: ${output.join('')}`);
    const reply = await axios.get(`${url}/health`, { validateStatus: () => true, timeout: 2000 }).catch(() => undefined);
    const server = reply?.status === 200 ? reply.headers[SERVED_BY_HEADER] : undefined;
    if (typeof server === 'string') seen.add(server);
    else await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    port: listenPort,
    configPath,
    output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
