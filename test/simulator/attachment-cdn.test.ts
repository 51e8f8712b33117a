import { DiscordAPIError } from '@discordjs/rest';
import { describe, expect, it } from 'vitest';
import { DiscordSimulator } from '../../src/testing/index.js';
import { origin, TOKEN, useSimulators } from './http-harness.js';

const { started, restFor } = useSimulators();

/** An attachment object as the API answers it. */
interface AttachmentJson {
  readonly id: string;
  readonly filename: string;
  readonly size: number;
  readonly content_type?: string;
  readonly description?: string;
  readonly url: string;
  readonly proxy_url: string;
  readonly ephemeral?: boolean;
}

interface MessageJson {
  readonly id: string;
  readonly content: string;
  readonly attachments: AttachmentJson[];
}

/** Every byte value, so a text decoding anywhere on the way would show. */
const BINARY = Buffer.from(Array.from({ length: 256 }, (_, index) => index));

function attachmentsOf(sim: DiscordSimulator, channelId: string, messageId: string): AttachmentJson[] {
  return sim.getMessage(channelId, messageId)!.attachments as AttachmentJson[];
}

describe('DiscordSimulator', () => {
  describe('attachments', () => {
    it('attaches the files of a type-4 callback to the new message, with every attachment field Discord gives', async () => {
      const sim = await started();
      const channelId = sim.createChannel().id;
      const interaction = sim.createInteraction(channelId);
      const rest = restFor(sim);
      const csv = 'id,name\r\n1,"Camera, ""Pro"""\r\n';
      const answer = (await rest.post(`/interactions/${interaction.id}/${interaction.token}/callback`, {
        body: { type: 4, data: { content: 'Your export', flags: 64 } },
        files: [{ name: 'export.csv', data: Buffer.from(csv), contentType: 'text/csv; charset=utf-8' }],
        query: new URLSearchParams({ with_response: 'true' }),
        auth: false,
      })) as { resource: { message: MessageJson } };

      const message = answer.resource.message;
      expect(message.content).toBe('Your export');
      const [attachment] = message.attachments;
      expect(Object.keys(attachment!)).toEqual([
        'id',
        'filename',
        'content_type',
        'size',
        'url',
        'proxy_url',
        'ephemeral',
      ]);
      expect(attachment).toEqual({
        id: expect.stringMatching(/^\d{17,20}$/) as unknown,
        filename: 'export.csv',
        content_type: 'text/csv; charset=utf-8',
        size: Buffer.byteLength(csv),
        url: `${origin(sim)}/attachments/${channelId}/${attachment!.id}/export.csv`,
        proxy_url: attachment!.url,
        ephemeral: true,
      });
      expect(attachmentsOf(sim, channelId, message.id)).toEqual([attachment]);
      const webhook = `/webhooks/${interaction.applicationId}/${interaction.token}` as const;
      const original = (await rest.get(`${webhook}/messages/@original`, { auth: false })) as MessageJson;
      expect(original.attachments).toEqual([attachment]);
      expect(sim.attachmentData(attachment!.url)?.toString('utf8')).toBe(csv);
    });

    it('accepts a type-4 callback whose only content is a file', async () => {
      const sim = await started();
      const channelId = sim.createChannel().id;
      const interaction = sim.createInteraction(channelId);
      await restFor(sim).post(`/interactions/${interaction.id}/${interaction.token}/callback`, {
        body: { type: 4, data: {} },
        files: [{ name: 'photo.bin', data: BINARY }],
        auth: false,
      });
      const [message] = sim.listMessages(channelId);
      expect(message?.content).toBe('');
      expect(message?.attachments).toMatchObject([{ filename: 'photo.bin', size: 256 }]);
    });

    it('adds the files of a type-7 callback to the component message, keeping the attachments listed', async () => {
      const sim = await started();
      const channelId = sim.createChannel().id;
      const rest = restFor(sim);
      const board = (await rest.post(`/channels/${channelId}/messages`, {
        body: { content: 'page 1' },
        files: [
          { name: 'keep.txt', data: Buffer.from('keep'), contentType: 'text/plain' },
          { name: 'drop.txt', data: Buffer.from('drop'), contentType: 'text/plain' },
        ],
      })) as MessageJson;
      const [keep, drop] = board.attachments;
      const interaction = sim.createInteraction(channelId, { messageId: board.id });

      await rest.post(`/interactions/${interaction.id}/${interaction.token}/callback`, {
        body: { type: 7, data: { content: 'page 2', attachments: [{ id: keep!.id }] } },
        files: [{ name: 'page2.txt', data: Buffer.from('page two'), contentType: 'text/plain' }],
        auth: false,
      });

      const attachments = attachmentsOf(sim, channelId, board.id);
      expect(sim.getMessage(channelId, board.id)).toMatchObject({ content: 'page 2', version: 1 });
      expect(attachments.map((attachment) => attachment.filename)).toEqual(['keep.txt', 'page2.txt']);
      expect(attachments[0]).toEqual(keep);
      expect(sim.attachmentData(attachments[1]!.id)?.toString()).toBe('page two');
      expect(sim.attachmentData(drop!.url)).toBeUndefined();
      expect((await fetch(drop!.url)).status).toBe(404);
    });

    it('keeps or drops attachments on an edit by its attachments field, appending the files it adds', async () => {
      const sim = await started();
      const channelId = sim.createChannel().id;
      const rest = restFor(sim);
      const sent = (await rest.post(`/channels/${channelId}/messages`, {
        body: { content: 'three files' },
        files: [
          { name: 'a.txt', data: Buffer.from('a') },
          { name: 'b.txt', data: Buffer.from('b') },
          { name: 'c.txt', data: Buffer.from('c') },
        ],
      })) as MessageJson;
      const [a, b, c] = sent.attachments;
      const path = `/channels/${channelId}/messages/${sent.id}` as const;
      const names = (message: MessageJson): string[] => message.attachments.map((attachment) => attachment.filename);

      // Without `attachments`, an edit keeps them all, and a new file is appended.
      const added = (await rest.patch(path, {
        body: { content: 'four files' },
        files: [{ name: 'd.txt', data: Buffer.from('d') }],
      })) as MessageJson;
      expect(names(added)).toEqual(['a.txt', 'b.txt', 'c.txt', 'd.txt']);

      // With it, the ones not listed are dropped; a placeholder entry (the `n` of files[n]) describes a new file.
      const kept = (await rest.patch(path, {
        body: { attachments: [{ id: c!.id }, { id: a!.id }, { id: 0, description: 'the fifth' }] },
        files: [{ name: 'e.txt', data: Buffer.from('e') }],
      })) as MessageJson;
      expect(names(kept)).toEqual(['a.txt', 'c.txt', 'e.txt']);
      expect(kept.attachments[0]).toEqual(a);
      expect(kept.attachments[2]).toMatchObject({ filename: 'e.txt', description: 'the fifth', size: 1 });
      expect(kept.content).toBe('four files');
      expect(sim.attachmentData(b!.id)).toBeUndefined();
      expect((await fetch(b!.url)).status).toBe(404);
      expect(await (await fetch(a!.url)).text()).toBe('a');

      // An empty list removes every attachment.
      const cleared = (await rest.patch(path, { body: { attachments: [] } })) as MessageJson;
      expect(cleared.attachments).toEqual([]);
      expect(sim.attachmentData(a!.url)).toBeUndefined();
    });

    it('applies the same attachment rules to webhook and interaction message edits', async () => {
      const sim = await started();
      const channelId = sim.createChannel().id;
      const rest = restFor(sim);
      const hook = sim.createWebhook(channelId);
      const posted = (await rest.post(`/webhooks/${hook.id}/${hook.token}`, {
        body: { content: 'hook' },
        files: [
          { name: 'one.txt', data: Buffer.from('1') },
          { name: 'two.txt', data: Buffer.from('2') },
        ],
        query: new URLSearchParams({ wait: 'true' }),
        auth: false,
      })) as MessageJson;
      const edited = (await rest.patch(`/webhooks/${hook.id}/${hook.token}/messages/${posted.id}`, {
        body: { attachments: [{ id: posted.attachments[1]!.id }] },
        files: [{ name: 'three.txt', data: Buffer.from('3') }],
        auth: false,
      })) as MessageJson;
      expect(edited.attachments.map((attachment) => attachment.filename)).toEqual(['two.txt', 'three.txt']);
      expect(sim.attachmentData(posted.attachments[0]!.url)).toBeUndefined();

      const interaction = sim.createInteraction(channelId);
      await rest.post(`/interactions/${interaction.id}/${interaction.token}/callback`, {
        body: { type: 4, data: { content: 'report' } },
        files: [{ name: 'v1.txt', data: Buffer.from('v1') }],
        auth: false,
      });
      const replaced = (await rest.patch(
        `/webhooks/${interaction.applicationId}/${interaction.token}/messages/@original`,
        { body: { attachments: [] }, files: [{ name: 'v2.txt', data: Buffer.from('v2') }], auth: false },
      )) as MessageJson;
      expect(replaced.attachments.map((attachment) => attachment.filename)).toEqual(['v2.txt']);
      expect(sim.attachmentData(replaced.attachments[0]!.url)?.toString()).toBe('v2');
    });

    it('serves the exact bytes at the attachment URL without a token, and through attachmentData', async () => {
      const sim = await started();
      const channelId = sim.createChannel().id;
      const sent = (await restFor(sim).post(`/channels/${channelId}/messages`, {
        body: { content: 'binary' },
        files: [{ name: 'all bytes.bin', data: BINARY, contentType: 'application/x-test' }],
      })) as MessageJson;
      const [attachment] = sent.attachments;
      expect(attachment?.url).toBe(`${origin(sim)}/attachments/${channelId}/${attachment!.id}/all%20bytes.bin`);

      const response = await fetch(attachment!.url);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/x-test');
      expect(response.headers.get('content-length')).toBe('256');
      expect(Buffer.from(await response.arrayBuffer())).toEqual(BINARY);
      expect((await fetch(attachment!.proxy_url)).status).toBe(200);
      const head = await fetch(attachment!.url, { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(head.headers.get('content-length')).toBe('256');

      expect(sim.attachmentData(attachment!.url)).toEqual(BINARY);
      expect(sim.attachmentData(`${attachment!.url}?ex=0&is=0&hm=0`)).toEqual(BINARY);
      expect(sim.attachmentData(attachment!.id)).toEqual(BINARY);
      // A copy: changing it does not change the file.
      sim.attachmentData(attachment!.id)!.fill(0);
      expect(sim.attachmentData(attachment!.id)).toEqual(BINARY);
    });

    it('answers 404 for an unknown attachment, a wrong channel or file name, and a deleted message', async () => {
      const sim = await started();
      const channelId = sim.createChannel().id;
      const otherChannelId = sim.createChannel().id;
      const rest = restFor(sim);
      const sent = (await rest.post(`/channels/${channelId}/messages`, {
        body: { content: 'file' },
        files: [{ name: 'report.txt', data: Buffer.from('report') }],
      })) as MessageJson;
      const { id, url } = sent.attachments[0]!;
      const base = `${origin(sim)}/attachments`;

      for (const missing of [
        `${base}/${channelId}/1234567890123456789/report.txt`,
        `${base}/${otherChannelId}/${id}/report.txt`,
        `${base}/${channelId}/${id}/other.txt`,
        `${base}/${channelId}/${id}`,
      ]) {
        const response = await fetch(missing);
        expect(response.status, missing).toBe(404);
        expect(await response.text()).toBe('404: Not Found');
        expect(sim.attachmentData(missing), missing).toBeUndefined();
      }
      expect(sim.attachmentData('1234567890123456789')).toBeUndefined();
      expect(sim.attachmentData('not a url')).toBeUndefined();
      // The CDN is not the API: neither its 404s nor its files are in the request log.
      expect(sim.getRequestLog().map((record) => record.method)).toEqual(['POST']);

      await rest.delete(`/channels/${channelId}/messages/${sent.id}`);
      expect((await fetch(url)).status).toBe(404);
      expect(sim.attachmentData(id)).toBeUndefined();
    });

    it('names Discord’s CDN in attachment URLs while the server is not listening, and still finds the files', async () => {
      const sim = new DiscordSimulator();
      const channelId = sim.createChannel().id;
      const form = new FormData();
      form.append('payload_json', JSON.stringify({ content: 'in process' }));
      form.append('files[0]', new Blob([BINARY], { type: 'image/png' }), 'pixel.png');
      const request = new Request('http://simulator.invalid/', { method: 'POST', body: form });
      const response = await sim.handle({
        method: 'POST',
        path: `/api/v10/channels/${channelId}/messages`,
        headers: { authorization: `Bot ${TOKEN}`, 'content-type': request.headers.get('content-type')! },
        body: new Uint8Array(await request.arrayBuffer()),
      });
      expect(response.status).toBe(200);
      const [attachment] = (JSON.parse(response.body) as MessageJson).attachments;
      expect(attachment).toMatchObject({
        filename: 'pixel.png',
        content_type: 'image/png',
        url: `https://cdn.discordapp.com/attachments/${channelId}/${attachment!.id}/pixel.png`,
        proxy_url: `https://media.discordapp.net/attachments/${channelId}/${attachment!.id}/pixel.png`,
      });
      expect(sim.attachmentData(attachment!.url)).toEqual(BINARY);
      expect(sim.attachmentData(attachment!.proxy_url)).toEqual(BINARY);
    });

    it('refuses a request body over 25 MiB in process too, as Discord does', async () => {
      const sim = new DiscordSimulator();
      const channelId = sim.createChannel().id;
      const response = await sim.handle({
        method: 'POST',
        path: `/api/v10/channels/${channelId}/messages`,
        headers: { authorization: `Bot ${TOKEN}`, 'content-type': 'application/json' },
        body: new Uint8Array(25 * 1024 * 1024 + 1),
      });
      expect(response.status).toBe(413);
      expect(JSON.parse(response.body)).toEqual({ message: 'Request entity too large', code: 40005 });
    });

    it('requires ATTACH_FILES to upload files to a channel', async () => {
      const sim = await started();
      const guild = sim.guilds.create({
        name: 'Club',
        botPermissions: ['VIEW_CHANNEL', 'SEND_MESSAGES'],
        everyonePermissions: [],
      });
      const channel = guild.channels.create({ name: 'files' });
      const rest = restFor(sim);
      await rest.post(`/channels/${channel.id}/messages`, { body: { content: 'text is fine' } });
      const refused = await rest
        .post(`/channels/${channel.id}/messages`, {
          body: { content: 'with a file' },
          files: [{ name: 'a.txt', data: Buffer.from('a') }],
        })
        .catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(DiscordAPIError);
      expect(refused).toMatchObject({ status: 403, code: 50013 });
    });
  });
});
