import { describe, expect, it } from 'vitest';
import { renderChannelText, renderMessageText } from '../../src/testing/index.js';

describe('renderMessageText', () => {
  it('renders content, an embed with fields and footer, attachments, buttons and selects, with mention names', () => {
    const text = renderMessageText(
      {
        content: 'Hi <@1> in <#2>',
        embeds: [
          {
            title: '[Tools] Drill',
            description: 'Cordless',
            fields: [
              { name: 'Status', value: 'Loaned - User: <@1>' },
              { name: 'Upcoming', value: 'a\nb' },
            ],
            footer: { text: 'JST' },
          },
        ],
        attachments: [{ id: '9', filename: 'report.csv', size: 42 }],
        components: [
          {
            type: 1,
            components: [
              { type: 2, style: 1, label: 'Reserve', custom_id: 'x' },
              { type: 2, style: 2, label: 'Old', custom_id: 'y', disabled: true },
            ],
          },
          {
            type: 1,
            components: [
              {
                type: 3,
                custom_id: 's',
                placeholder: 'Month',
                options: [
                  { label: '2026/12', value: 'a', default: true },
                  { label: '2027/01', value: 'b' },
                  { label: '2027/02', value: 'c' },
                ],
              },
            ],
          },
          { type: 1, components: [{ type: 6, custom_id: 'r', placeholder: 'Admin roles' }] },
        ],
      },
      { names: { '1': 'alice', '2': 'reservations' }, maxOptions: 2 },
    );
    expect(text.split('\n')).toEqual([
      'Hi @alice in #reservations',
      '┌ **[Tools] Drill**',
      '│ Cordless',
      '│ Status: Loaned - User: @alice',
      '│ Upcoming: a',
      '│   b',
      '│ — JST',
      '└',
      '📎 report.csv (42 bytes)',
      '[Reserve] [Old] (disabled)',
      '[▼ Month: ● 2026/12 · ○ 2027/01 · … 1 more]',
      '[▼ Admin roles]',
    ]);
  });

  it('leaves unknown mentions as they are and separates a channel’s messages by a blank line', () => {
    expect(
      renderChannelText([
        { content: '<@3>', embeds: [], components: [] },
        { content: 'two', embeds: [], components: [] },
      ]),
    ).toBe('<@3>\n\ntwo');
  });
});
