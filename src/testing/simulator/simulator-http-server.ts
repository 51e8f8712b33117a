import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { DiscordErrors, serverError, type ApiError } from './discord-errors.js';
import { MAX_REQUEST_BODY_BYTES } from './parse-request-body.js';
import { SimulatorConnectionResetError } from './simulator-connection-reset-error.js';
import type { SimulatorRequest, SimulatorResponse } from './simulator-records.js';

/** An answer the server writes as is, bytes included: a file of the simulated CDN rather than an API answer. */
export interface FileResponse {
  readonly status: number;
  /** Response headers, lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  /** The bytes, or `undefined` for none (a `HEAD` request, an error without a body). */
  readonly body: Uint8Array | string | undefined;
}

/** Serves a file path (e.g. an attachment), or answers `undefined` to leave the request to the API. */
export type FileHandler = (method: string, path: string) => FileResponse | undefined;

function errorResponse(error: ApiError): SimulatorResponse {
  return { status: error.status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(error.body) };
}

function writeResponse(response: ServerResponse, answer: SimulatorResponse): void {
  if (response.destroyed || response.writableEnded) return;
  response.writeHead(answer.status, answer.headers);
  response.end(answer.status === 204 ? undefined : answer.body);
}

/**
 * The simulator's loopback HTTP server: reads each request's body, hands the request to the simulator and writes
 * the answer. A connection reset is a destroyed socket, as a client sees it from Discord.
 */
export class SimulatorHttpServer {
  readonly #host: string;
  readonly #port: number;
  readonly #handle: (request: SimulatorRequest) => Promise<SimulatorResponse>;
  readonly #upgrade: ((request: IncomingMessage, socket: Duplex, head: Buffer) => void) | undefined;
  readonly #files: FileHandler | undefined;
  #server: Server | undefined;
  #listeningPort: number | undefined;

  /**
   * @param host - interface to listen on
   * @param port - TCP port (0 picks a free one)
   * @param handle - answers one request (rejects with {@link SimulatorConnectionResetError} to reset it)
   * @param upgrade - takes WebSocket upgrades (the gateway)
   * @param files - serves file paths before the API sees them (the attachments of the simulated CDN)
   */
  public constructor(
    host: string,
    port: number,
    handle: (request: SimulatorRequest) => Promise<SimulatorResponse>,
    upgrade?: (request: IncomingMessage, socket: Duplex, head: Buffer) => void,
    files?: FileHandler,
  ) {
    this.#host = host;
    this.#port = port;
    this.#handle = handle;
    this.#upgrade = upgrade;
    this.#files = files;
  }

  /**
   * Starts listening.
   *
   * @returns once the server is listening
   * @throws Error when it is already listening, or the port cannot be bound
   */
  public async listen(): Promise<void> {
    if (this.#server) throw new Error('DiscordSimulator is already listening; call close() before start() again.');
    const server = createServer((request, response) => void this.#onRequest(request, response));
    const upgrade = this.#upgrade;
    if (upgrade)
      server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => upgrade(request, socket, head));
    else server.on('upgrade', (_request: IncomingMessage, socket: Duplex) => socket.destroy());
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#port, this.#host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.#server = server;
    this.#listeningPort = (server.address() as AddressInfo).port;
  }

  /**
   * The base URL of the API: `http://<host>:<port>/api`.
   *
   * @throws Error when the server is not listening
   */
  public get url(): string {
    const origin = this.origin;
    if (origin === undefined) {
      throw new Error('DiscordSimulator is not listening: `await sim.start()` before reading `sim.url`.');
    }
    return `${origin}/api`;
  }

  /** `http://<host>:<port>` while the server is listening, else `undefined`. */
  public get origin(): string | undefined {
    if (this.#listeningPort === undefined) return undefined;
    const host = this.#host.includes(':') ? `[${this.#host}]` : this.#host;
    return `http://${host}:${this.#listeningPort}`;
  }

  /**
   * The gateway's URL, bare as Discord's: `ws://<host>:<port>/` (clients append `?v=10&encoding=json`).
   *
   * @throws Error when the server is not listening
   */
  public get gatewayUrl(): string {
    return `${this.url.replace(/^http:/, 'ws:').replace(/\/api$/, '')}/`;
  }

  /**
   * Stops the server, closing open connections. Closing a server that is not listening does nothing.
   *
   * @returns once the server is closed
   */
  public async close(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    this.#listeningPort = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async #onRequest(request: IncomingMessage, response: ServerResponse): Promise<void> {
    try {
      const file = this.#files?.(request.method ?? 'GET', request.url ?? '/');
      if (file) {
        request.resume();
        if (!response.destroyed && !response.writableEnded) {
          response.writeHead(file.status, file.headers);
          response.end(request.method === 'HEAD' ? undefined : file.body);
        }
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of request) {
        const buffer = chunk as Buffer;
        size += buffer.length;
        if (size > MAX_REQUEST_BODY_BYTES) {
          writeResponse(response, errorResponse(DiscordErrors.payloadTooLarge));
          return;
        }
        chunks.push(buffer);
      }
      const answer = await this.#handle({
        method: request.method ?? 'GET',
        path: request.url ?? '/',
        headers: request.headers,
        body: chunks.length === 0 ? undefined : Buffer.concat(chunks),
      });
      writeResponse(response, answer);
    } catch (error) {
      if (error instanceof SimulatorConnectionResetError) {
        request.socket.resetAndDestroy();
        return;
      }
      writeResponse(response, errorResponse(serverError(500)));
    }
  }
}
