import { describe, expect, it } from 'vitest';
import { formatTurnText, parseTurnText } from '../../../main/core/capture/turn-text.js';
import { stripInjected } from '../../../main/core/capture/user-text.js';

describe('turn text', () => {
  it('round-trips, even when the user quoted "Assistant:" themselves', () => {
    const user = 'Why did it say\n\nAssistant: no?';
    const text = formatTurnText(user, 'Because of the prompt.');
    expect(parseTurnText(text, user.length)).toEqual({ user, assistant: 'Because of the prompt.' });
    expect(parseTurnText(formatTurnText('a', 'b'))).toEqual({ user: 'a', assistant: 'b' });
  });
  it('returns null for texts it did not write', () => {
    expect(parseTurnText('a manual memory')).toBeNull();
    expect(parseTurnText('User: no answer part')).toBeNull();
  });
});

describe('stripInjected', () => {
  it.each([
    ['<system-reminder>x</system-reminder>hello', 'hello'],
    [
      '<command-name>/compact</command-name>\n<command-message>compact</command-message>\n<command-args></command-args>',
      '',
    ],
    ['<local-command-stdout>Compacted</local-command-stdout>', ''],
    ['This session is being continued from a previous conversation that ran out of context. Summary…', ''],
    ['[Request interrupted by user for tool use]', ''],
    ['keep <b>this</b>', 'keep <b>this</b>'],
  ])('%j → %j', (input, expected) => {
    expect(stripInjected(input)).toBe(expected);
  });
});
