/** One uploaded file of a multipart body. */
export interface MultipartFile {
  /** Form field name, e.g. `files[0]`. */
  readonly field: string;
  /** File name sent by the client. */
  readonly filename: string;
  /** Size in bytes. */
  readonly size: number;
  /** Declared content type, or `undefined`. */
  readonly contentType: string | undefined;
  /** The file's bytes (a copy, independent of the request body). */
  readonly data: Buffer;
}

/** A parsed `multipart/form-data` body: text fields (UTF-8) and files (name, type and bytes). */
export interface MultipartBody {
  readonly fields: ReadonlyMap<string, string>;
  readonly files: readonly MultipartFile[];
}

/**
 * The boundary of a `multipart/form-data` content type, or `undefined` for other types.
 *
 * @param contentType - the `content-type` header
 * @returns the boundary string
 */
export function multipartBoundary(contentType: string | undefined): string | undefined {
  if (!contentType || !/^multipart\/form-data\b/i.test(contentType)) return undefined;
  const match = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return match?.[1] ?? match?.[2];
}

/**
 * Parses a `multipart/form-data` body, enough for message uploads (`payload_json` plus `files[n]`). Works on
 * bytes through a latin1 view, so binary file contents survive and text fields are re-decoded as UTF-8.
 *
 * @param body - raw body bytes
 * @param boundary - from {@link multipartBoundary}
 * @returns fields and files, or `undefined` when the body is not well-formed
 */
export function parseMultipart(body: Uint8Array, boundary: string): MultipartBody | undefined {
  const text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('latin1');
  const delimiter = `--${boundary}`;
  const parts = text.split(delimiter);
  if (parts.length < 3) return undefined;
  const fields = new Map<string, string>();
  const files: MultipartFile[] = [];
  // parts[0] is the preamble; the last part starts with `--` (the closing delimiter).
  for (const part of parts.slice(1, -1)) {
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd < 0) return undefined;
    const headers = part.slice(0, headerEnd);
    // Each part ends with the CRLF that precedes the next delimiter.
    const content = part.slice(headerEnd + 4, part.endsWith('\r\n') ? -2 : undefined);
    const disposition = /content-disposition:[^\r\n]*/i.exec(headers)?.[0] ?? '';
    const name = /\bname="([^"]*)"/i.exec(disposition)?.[1];
    if (name === undefined) return undefined;
    const filename = /\bfilename="([^"]*)"/i.exec(disposition)?.[1];
    if (filename === undefined) {
      fields.set(name, Buffer.from(content, 'latin1').toString('utf8'));
    } else {
      const contentType = /content-type:\s*([^\r\n]+)/i.exec(headers)?.[1]?.trim();
      // latin1 maps each byte to one character and back, so this restores the uploaded bytes exactly.
      const data = Buffer.from(content, 'latin1');
      files.push({
        field: name,
        filename: Buffer.from(filename, 'latin1').toString('utf8'),
        size: data.byteLength,
        contentType,
        data,
      });
    }
  }
  return { fields, files };
}
