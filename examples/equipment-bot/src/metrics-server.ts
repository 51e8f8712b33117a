/**
 * The bot's `/metrics` endpoint for Prometheus (`METRICS_PORT`): `GET /metrics` answers the text exposition of the
 * manager's `PrometheusMetricsCollector`; anything else is 404.
 *
 * @module
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the endpoint serves: a collector's text exposition and its content type. */
export interface MetricsSource {
  metrics(): Promise<string>;
  readonly contentType: string;
}

/** A running endpoint. */
export interface MetricsServer {
  /** `http://host:port/metrics`. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Starts the endpoint.
 *
 * @param source - the collector
 * @param port - the TCP port (0: any free one)
 * @param host - where to listen @defaultValue `'0.0.0.0'` (Prometheus scrapes from elsewhere)
 * @returns the running endpoint
 */
export async function startMetricsServer(
  source: MetricsSource,
  port: number,
  host = '0.0.0.0',
): Promise<MetricsServer> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' || path !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('Not found: Prometheus scrapes GET /metrics.\n');
      return;
    }
    source.metrics().then(
      (body) => response.writeHead(200, { 'content-type': source.contentType }).end(body),
      (error: unknown) =>
        response.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${String(error)}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const shown = host === '0.0.0.0' ? '127.0.0.1' : host;
  return {
    url: `http://${shown}:${address.port}/metrics`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
