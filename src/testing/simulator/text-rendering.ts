/**
 * A plain-text rendering of messages as a member sees them: content, embeds (title, description, fields, footer),
 * attachments, and components (buttons in brackets, selects with their options, the chosen ones marked). For
 * documentation (a walkthrough of a bot made from the simulator's state), snapshots and debugging.
 *
 * @module
 */
import { isRecord } from '../../util/is-record.js';
import type { SimulatedMessage } from './simulator-records.js';

/** Options of {@link renderMessageText}. */
export interface TextRenderingOptions {
  /** Names to show for mentions `<@id>`, `<@&id>`, `<#id>` (by id); unknown ones stay as they are. */
  readonly names?: Readonly<Record<string, string>>;
  /** Most select options listed before "…". @defaultValue 8 */
  readonly maxOptions?: number;
}

const SELECT_TYPES: Readonly<Record<number, string>> = {
  3: 'select',
  5: 'user select',
  6: 'role select',
  7: 'mentionable select',
  8: 'channel select',
};

/**
 * Renders one message as text.
 *
 * @param message - the message (a `SimulatedMessage`, or anything with `content`, `embeds`, `components`)
 * @param options - mention names, option count
 * @returns the text, lines joined with `\n`
 */
export function renderMessageText(
  message: Pick<SimulatedMessage, 'content' | 'embeds' | 'components'> & Partial<Pick<SimulatedMessage, 'attachments'>>,
  options: TextRenderingOptions = {},
): string {
  const names = options.names ?? {};
  const text = (value: unknown): string =>
    String(value ?? '').replace(/<(@&|@!?|#)(\d+)>/g, (whole, kind: string, id: string) => {
      const name = names[id];
      if (name === undefined) return whole;
      return kind === '#' ? `#${name}` : `@${name}`;
    });
  const lines: string[] = [];
  if (message.content !== '') lines.push(...text(message.content).split('\n'));
  for (const embed of message.embeds.filter(isRecord)) {
    const body: string[] = [];
    if (embed['title'] !== undefined) body.push(`**${text(embed['title'])}**`);
    if (embed['description'] !== undefined) body.push(...text(embed['description']).split('\n'));
    for (const field of Array.isArray(embed['fields']) ? embed['fields'].filter(isRecord) : []) {
      const value = text(field['value']).split('\n');
      body.push(`${text(field['name'])}: ${value[0] ?? ''}`, ...value.slice(1).map((line) => `  ${line}`));
    }
    const footer = isRecord(embed['footer']) ? embed['footer']['text'] : undefined;
    if (footer !== undefined) body.push(`— ${text(footer)}`);
    lines.push(...body.map((line, index) => `${index === 0 ? '┌' : '│'} ${line}`));
    if (body.length > 0) lines.push('└');
  }
  for (const attachment of (message.attachments ?? []).filter(isRecord)) {
    lines.push(`📎 ${String(attachment['filename'] ?? 'file')} (${String(attachment['size'] ?? '?')} bytes)`);
  }
  for (const row of message.components.filter(isRecord)) {
    const children = Array.isArray(row['components']) ? row['components'].filter(isRecord) : [row];
    const parts = children.map((component) => renderComponent(component, text, options.maxOptions ?? 8));
    if (parts.length > 0) lines.push(parts.join(' '));
  }
  return lines.join('\n');
}

/**
 * Renders messages one after the other, separated by a blank line (a channel, oldest first).
 *
 * @param messages - the messages
 * @param options - as for {@link renderMessageText}
 * @returns the text
 */
export function renderChannelText(
  messages: readonly (Pick<SimulatedMessage, 'content' | 'embeds' | 'components'> &
    Partial<Pick<SimulatedMessage, 'attachments'>>)[],
  options: TextRenderingOptions = {},
): string {
  return messages.map((message) => renderMessageText(message, options)).join('\n\n');
}

function renderComponent(
  component: Readonly<Record<string, unknown>>,
  text: (value: unknown) => string,
  maxOptions: number,
): string {
  const type = Number(component['type']);
  const disabled = component['disabled'] === true ? ' (disabled)' : '';
  if (type === 2) return `[${text(component['label'] ?? component['url'] ?? '?')}]${disabled}`;
  const kind = SELECT_TYPES[type];
  if (kind === undefined) return '';
  const placeholder = text(component['placeholder'] ?? kind);
  if (type !== 3) return `[▼ ${placeholder}]${disabled}`;
  const choices = Array.isArray(component['options']) ? component['options'].filter(isRecord) : [];
  const listed = choices
    .slice(0, maxOptions)
    .map((option) => `${option['default'] === true ? '●' : '○'} ${text(option['label'])}`);
  if (choices.length > maxOptions) listed.push(`… ${choices.length - maxOptions} more`);
  return `[▼ ${placeholder}: ${listed.join(' · ')}]${disabled}`;
}
