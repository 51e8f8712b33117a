import type { MessageStore, StoredAttachmentFile } from './message-store.js';
import type { FileResponse } from './simulator-http-server.js';

/** Discord's CDN, used in attachment URLs while the simulator's server is not listening. */
const DISCORD_CDN_ORIGIN = 'https://cdn.discordapp.com';
/** Discord's media proxy, the host of `proxy_url` for the CDN's files. */
const DISCORD_MEDIA_ORIGIN = 'https://media.discordapp.net';
/** `/attachments/<channel id>/<attachment id>/<file name>`, the CDN's path for a message attachment. */
const ATTACHMENT_PATH = /^\/attachments\/(\d+)\/(\d+)\/([^/]+)$/;

const NOT_FOUND: FileResponse = {
  status: 404,
  headers: { 'content-type': 'text/plain; charset=utf-8' },
  body: '404: Not Found',
};

/**
 * The `url` and `proxy_url` of an attachment: on the simulator's server when it listens (`origin`), where
 * {@link AttachmentCdn} serves the bytes; on Discord's CDN and media proxy otherwise (in-process use, where
 * {@link AttachmentCdn.find} still resolves them).
 *
 * @param origin - `http://<host>:<port>` of the simulator, or `undefined` when it does not listen
 * @param channelId - the message's channel
 * @param attachmentId - the attachment's id
 * @param filename - the attachment's file name
 * @returns both URLs
 * @example
 * ```ts
 * attachmentUrls('http://127.0.0.1:4000', '1', '2', 'a b.csv').url; // 'http://127.0.0.1:4000/attachments/1/2/a%20b.csv'
 * ```
 */
export function attachmentUrls(
  origin: string | undefined,
  channelId: string,
  attachmentId: string,
  filename: string,
): { readonly url: string; readonly proxyUrl: string } {
  const path = `/attachments/${channelId}/${attachmentId}/${encodeURIComponent(filename)}`;
  // The simulator has no media proxy: its `proxy_url` is the file itself.
  if (origin !== undefined) return { url: `${origin}${path}`, proxyUrl: `${origin}${path}` };
  return { url: `${DISCORD_CDN_ORIGIN}${path}`, proxyUrl: `${DISCORD_MEDIA_ORIGIN}${path}` };
}

/**
 * The simulated CDN: serves the uploaded files of live messages at their attachment URLs
 * (`GET /attachments/<channel>/<attachment>/<file name>`, without authentication, as Discord's CDN does), and finds
 * them for tests by URL or id.
 */
export class AttachmentCdn {
  readonly #store: MessageStore;

  /** @param store - where the files of live messages are kept */
  public constructor(store: MessageStore) {
    this.#store = store;
  }

  /**
   * The file behind an attachment URL (of the simulator or of Discord's CDN or media proxy; the query is ignored), a
   * path, or an attachment id.
   *
   * @param urlOrId - the attachment's `url` or `proxy_url`, its path, or its `id`
   * @returns the file, or `undefined` when no live message has that attachment (or the URL's channel or file name
   *   differ from the attachment's)
   */
  public find(urlOrId: string): StoredAttachmentFile | undefined {
    if (/^\d+$/.test(urlOrId)) return this.#store.attachmentFile(urlOrId);
    let pathname: string;
    try {
      pathname = new URL(urlOrId, DISCORD_CDN_ORIGIN).pathname;
    } catch {
      return undefined;
    }
    return this.#fromPath(pathname);
  }

  /**
   * Answers a CDN request: `GET` (or `HEAD`) of a path under `/attachments/`.
   *
   * @param method - the HTTP method
   * @param path - the request target, query included
   * @returns the file with its content type, a 404, or `undefined` for a request that is not the CDN's
   */
  public serve(method: string, path: string): FileResponse | undefined {
    const upper = method.toUpperCase();
    const pathname = path.split('?', 1)[0] ?? '';
    if ((upper !== 'GET' && upper !== 'HEAD') || !pathname.startsWith('/attachments/')) return undefined;
    const file = this.#fromPath(pathname);
    if (!file) return NOT_FOUND;
    return {
      status: 200,
      headers: {
        'content-type': file.contentType ?? 'application/octet-stream',
        'content-length': String(file.data.byteLength),
      },
      body: file.data,
    };
  }

  #fromPath(pathname: string): StoredAttachmentFile | undefined {
    const match = ATTACHMENT_PATH.exec(pathname);
    if (!match) return undefined;
    const [, channelId, id, encodedName] = match;
    const file = this.#store.attachmentFile(id!);
    if (!file || file.channelId !== channelId) return undefined;
    let filename: string;
    try {
      filename = decodeURIComponent(encodedName!);
    } catch {
      return undefined;
    }
    return filename === file.filename ? file : undefined;
  }
}
