import { DiscordErrors, type ApiError } from './discord-errors.js';
import { multipartBoundary, parseMultipart, type MultipartFile } from './multipart.js';
import type { SimulatorRequest } from './simulator-records.js';

/** A request body as the API sees it: JSON (for multipart, `payload_json` or the text fields) plus uploaded files. */
export type ParsedBody =
  | { readonly ok: true; readonly json: unknown; readonly files: readonly MultipartFile[] }
  | { readonly ok: false; readonly error: ApiError };

const EMPTY: ParsedBody = { ok: true, json: undefined, files: [] };

/**
 * Discord refuses request bodies over 25 MiB (413, code 40005). The HTTP server stops reading there; in-process
 * requests are checked against it too, so no uploaded file the simulator keeps is larger.
 */
export const MAX_REQUEST_BODY_BYTES = 25 * 1024 * 1024;

/**
 * One header of a request (the first value when it was sent several times).
 *
 * @param headers - lower-case request headers
 * @param name - lower-case header name
 * @returns the value, or `undefined`
 */
export function requestHeader(headers: SimulatorRequest['headers'], name: string): string | undefined {
  const value = headers?.[name];
  return typeof value === 'string' ? value : value?.[0];
}

/**
 * Reads a request body the way Discord does: JSON text, or `multipart/form-data` whose `payload_json` field carries
 * the JSON (without one, the text fields stand in for it).
 *
 * @param request - the request; its `content-type` header picks the format
 * @returns the body, or Discord's invalid-JSON error for a malformed one (an empty body is no body), or its 413 for
 *   one over {@link MAX_REQUEST_BODY_BYTES}
 */
export function parseRequestBody(request: SimulatorRequest): ParsedBody {
  const raw = request.body;
  if (raw === undefined || raw.length === 0) return EMPTY;
  const size = typeof raw === 'string' ? Buffer.byteLength(raw, 'utf8') : raw.byteLength;
  if (size > MAX_REQUEST_BODY_BYTES) return { ok: false, error: DiscordErrors.payloadTooLarge };
  const boundary = multipartBoundary(requestHeader(request.headers, 'content-type'));
  if (boundary !== undefined) {
    const bytes = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw;
    const parsed = parseMultipart(bytes, boundary);
    if (!parsed) return { ok: false, error: DiscordErrors.invalidJson };
    const payload = parsed.fields.get('payload_json');
    if (payload === undefined) return { ok: true, json: Object.fromEntries(parsed.fields), files: parsed.files };
    return parseJson(payload, parsed.files);
  }
  const text = typeof raw === 'string' ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8');
  if (text.trim().length === 0) return EMPTY;
  return parseJson(text, []);
}

function parseJson(text: string, files: readonly MultipartFile[]): ParsedBody {
  try {
    return { ok: true, json: JSON.parse(text) as unknown, files };
  } catch {
    return { ok: false, error: DiscordErrors.invalidJson };
  }
}
