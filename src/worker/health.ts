/**
 * The worker's HTTP endpoints for orchestrators: `GET /health` is 200 while the worker is
 * registered with LiveKit and 503 otherwise (a liveness/readiness probe); `GET /worker` is a
 * JSON description (worker id, agent name, jobs, load, protocol version).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UsageError } from '../runtime/core/errors.js';

export interface HealthSource {
  health(): { readonly ok: boolean; readonly message: string };
  info(): Record<string, unknown>;
}

export interface HealthServer {
  readonly port: number;
  close(): Promise<void>;
}

export async function startHealthServer(
  port: number,
  host: string,
  source: HealthSource,
): Promise<HealthServer> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://worker').pathname;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
    } else if (path === '/health' || path === '/') {
      const h = source.health();
      res.writeHead(h.ok ? 200 : 503, { 'Content-Type': 'text/plain' }).end(`${h.message}\n`);
    } else if (path === '/worker') {
      res
        .writeHead(200, { 'Content-Type': 'application/json' })
        .end(`${JSON.stringify(source.info())}\n`);
    } else {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
    }
  });
  await listen(server, port, host);
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') {
        reject(
          new UsageError(
            `--health-port ${port} is already in use: choose another port (0 picks a free one)`,
          ),
        );
      } else if (err.code === 'EACCES') {
        reject(new UsageError(`--health-port ${port}: not allowed to listen on that port`));
      } else {
        reject(new UsageError(`--health-port ${port}: cannot listen (${err.message})`));
      }
    });
    server.listen(port, host, () => resolve());
  });
}
