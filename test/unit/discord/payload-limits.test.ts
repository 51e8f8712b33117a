import { describe, expect, it } from 'vitest';
import { InvalidPayloadError } from '../../../src/errors/message-update-error.js';
import { assertValidPayload, findPayloadViolation, PAYLOAD_LIMITS } from '../../../src/discord/payload-limits.js';

const text = (length: number): string => 'x'.repeat(length);

/** Builds a body from a size, asserts `limit` passes and `limit + 1` fails at `path`. */
function expectBoundary(
  limit: number,
  build: (size: number) => unknown,
  path: string,
  unit: string,
  kind: 'create' | 'edit' = 'edit',
): void {
  expect(findPayloadViolation(build(limit), kind)).toBeUndefined();
  expect(findPayloadViolation(build(limit + 1), kind)).toEqual({ path, actual: limit + 1, limit, unit });
}

describe('findPayloadViolation', () => {
  it('accepts content of 2000 characters and refuses 2001', () => {
    expectBoundary(2000, (n) => ({ content: text(n) }), 'content', 'characters', 'create');
  });

  it('accepts 10 embeds and refuses 11', () => {
    expectBoundary(10, (n) => ({ embeds: Array.from({ length: n }, () => ({ title: 't' })) }), 'embeds', 'items');
  });

  it('limits an embed title to 256 characters', () => {
    expectBoundary(256, (n) => ({ embeds: [{}, { title: text(n) }] }), 'embeds[1].title', 'characters');
  });

  it('limits an embed description to 4096 characters', () => {
    expectBoundary(4096, (n) => ({ embeds: [{ description: text(n) }] }), 'embeds[0].description', 'characters');
  });

  it('limits an embed to 25 fields', () => {
    const fields = (n: number): unknown[] => Array.from({ length: n }, () => ({ name: 'n', value: 'v' }));
    expectBoundary(25, (n) => ({ embeds: [{ fields: fields(n) }] }), 'embeds[0].fields', 'items');
  });

  it('limits a field name to 256 characters', () => {
    const body = (n: number): unknown => ({
      embeds: [
        {
          fields: [
            { name: 'a', value: 'b' },
            { name: text(n), value: 'b' },
          ],
        },
      ],
    });
    expectBoundary(256, body, 'embeds[0].fields[1].name', 'characters');
  });

  it('limits a field value to 1024 characters', () => {
    const body = (n: number): unknown => ({
      embeds: [{}, { fields: [{ name: 'a', value: 'b' }, {}, {}, { name: 'n', value: text(n) }] }],
    });
    expectBoundary(1024, body, 'embeds[1].fields[3].value', 'characters');
  });

  it('limits a footer text to 2048 characters', () => {
    expectBoundary(2048, (n) => ({ embeds: [{ footer: { text: text(n) } }] }), 'embeds[0].footer.text', 'characters');
  });

  it('limits an author name to 256 characters', () => {
    expectBoundary(256, (n) => ({ embeds: [{ author: { name: text(n) } }] }), 'embeds[0].author.name', 'characters');
  });

  it('limits the characters of all embeds together to 6000', () => {
    // 4096 + 1904 = 6000 spread over two embeds, title, description, fields, footer and author all counted.
    const body = (n: number): unknown => ({
      embeds: [
        { title: text(100), description: text(4000), footer: { text: text(500) } },
        {
          author: { name: text(200) },
          fields: [
            { name: text(100), value: text(1000) },
            { name: 'x', value: text(n - 5901) },
          ],
        },
      ],
    });
    expectBoundary(6000, body, 'embeds', 'characters in total');
  });

  it('allows at most 5 action rows', () => {
    const rows = (n: number): unknown[] => Array.from({ length: n }, () => ({ type: 1, components: [] }));
    expectBoundary(5, (n) => ({ components: rows(n) }), 'components', 'items');
  });

  it('allows at most 5 components in an action row', () => {
    const row = (n: number): unknown => ({ type: 1, components: Array.from({ length: n }, () => ({ type: 2 })) });
    expectBoundary(5, (n) => ({ components: [row(1), row(n)] }), 'components[1].components', 'items');
  });

  it('caps a components-v2 message at 40 components in total instead of 5 rows', () => {
    const body = (n: number): unknown => ({
      flags: 1 << 15,
      components: [{ type: 17, components: Array.from({ length: n - 1 }, () => ({ type: 10, content: 'x' })) }],
    });
    expectBoundary(40, body, 'components', 'components in total');
  });

  it('allows at most 3 stickers', () => {
    expectBoundary(3, (n) => ({ sticker_ids: Array.from({ length: n }, (_, i) => String(i)) }), 'sticker_ids', 'items');
  });

  it('limits a string nonce to 25 characters and accepts integers', () => {
    expectBoundary(25, (n) => ({ content: 'x', nonce: text(n) }), 'nonce', 'characters', 'create');
    expect(findPayloadViolation({ content: 'x', nonce: 1234567890123 }, 'create')).toBeUndefined();
  });

  it('refuses an empty create body but accepts an empty edit', () => {
    const empty = { path: 'body', actual: 0, limit: 1, unit: 'of content, embeds, components, stickers or files' };
    expect(findPayloadViolation({}, 'create')).toEqual(empty);
    expect(findPayloadViolation({ content: '', embeds: [] }, 'create')).toEqual(empty);
    expect(findPayloadViolation({}, 'edit')).toBeUndefined();
  });

  it('accepts a create body with only embeds, components, stickers, files or a poll', () => {
    for (const body of [
      { embeds: [{ title: 't' }] },
      { components: [{ type: 1, components: [] }] },
      { sticker_ids: ['1'] },
      { files: [{ name: 'a.png' }] },
      { poll: { question: { text: 'q' } } },
    ]) {
      expect(findPayloadViolation(body, 'create')).toBeUndefined();
    }
  });

  it('refuses a body that is not a plain object', () => {
    for (const body of [null, 'text', 42, [{ content: 'x' }], new Map()]) {
      expect(findPayloadViolation(body, 'edit')?.path).toBe('body');
    }
  });

  it('measures embeds given as builders through toJSON', () => {
    const builder = { toJSON: () => ({ title: text(257) }) };
    expect(findPayloadViolation({ embeds: [builder] }, 'edit')?.path).toBe('embeds[0].title');
  });

  it('exposes the limits it checks', () => {
    expect(PAYLOAD_LIMITS).toMatchObject({ content: 2000, embeds: 10, embedTotal: 6000, actionRows: 5, stickers: 3 });
  });
});

describe('assertValidPayload', () => {
  it('throws an InvalidPayloadError naming the path, size and limit', () => {
    const call = (): void => assertValidPayload({ embeds: [{ fields: [{ name: 'a', value: text(1025) }] }] }, 'edit');
    expect(call).toThrow(InvalidPayloadError);
    try {
      call();
    } catch (error) {
      expect(error).toMatchObject({ path: 'embeds[0].fields[0].value', actual: 1025, limit: 1024 });
      expect((error as Error).message).toContain('embeds[0].fields[0].value');
    }
  });

  it('passes a valid body', () => {
    expect(() => assertValidPayload({ content: 'hello' }, 'create')).not.toThrow();
  });
});
