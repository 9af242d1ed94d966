// What one request says about its conversation's turns, from the request alone: the conversation it
// belongs to, the newest thing the user typed, the earlier turns its history shows, and each turn's
// stable key. Nothing here reads or writes the database (conversation-tracker.ts records turns).
import { createHash } from 'node:crypto';
import { textOf, type ParsedRequest } from './anthropic-types.js';
import { humanText, normaliseForKey } from './user-text.js';

/** The newest thing the user typed in a request, and its key. */
export interface NewestTurn {
  conversationId: string;
  turnKey: string;
  /** Index of the user's message in the request's messages. */
  position: number;
  userText: string;
}

/** An earlier turn as the history of a later request shows it (the client's copy of the answer). */
export interface HistoryTurn {
  turnKey: string;
  position: number;
  userText: string;
  answerText: string;
  tools: string[];
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * Which conversation a request belongs to: Claude Code's session id (metadata.user_id, else the
 * x-claude-code-session-id header), otherwise a hash of the first thing the user said.
 */
export function conversationIdOf(
  request: ParsedRequest,
  headers: Record<string, string> = {},
): string | null {
  if (request.sessionId) return request.sessionId;
  const header = headers['x-claude-code-session-id']?.trim();
  if (header) return header;
  for (const m of request.messages) {
    const t = humanText(m);
    if (t) return 'h-' + sha256(normaliseForKey(t)).slice(0, 24);
  }
  return null;
}

/** The newest thing the user typed in a request and its key, from the request alone. */
export function newestTurnOf(
  request: ParsedRequest,
  headers: Record<string, string> = {},
): NewestTurn | null {
  const conversationId = conversationIdOf(request, headers);
  if (!conversationId) return null;
  const messages = request.messages;
  for (let i = messages.length - 1; i >= 0; i--) {
    const userText = humanText(messages[i]!);
    if (userText)
      return {
        conversationId,
        position: i,
        userText,
        turnKey: turnKeyAt(conversationId, messages, i, userText),
      };
  }
  return null;
}

/**
 * The turns a request's history shows before its newest one, each with the answer the client
 * kept (the text of the last assistant message before the next thing the user typed).
 */
export function historyTurnsOf(
  request: ParsedRequest,
  conversationId: string,
  before: number,
): HistoryTurn[] {
  const messages = request.messages;
  const humans: Array<{ position: number; userText: string }> = [];
  for (let i = 0; i < Math.min(before, messages.length); i++) {
    const userText = humanText(messages[i]!);
    if (userText) humans.push({ position: i, userText });
  }
  return humans.map(({ position, userText }, k) => {
    const end = k + 1 < humans.length ? humans[k + 1]!.position : before;
    const tools: string[] = [];
    let answerText = '';
    for (let i = position + 1; i < end; i++) {
      const m = messages[i]!;
      if (m.role !== 'assistant') continue;
      for (const b of m.blocks) if (b.type === 'tool_use' && !tools.includes(b.name)) tools.push(b.name);
      const text = textOf(m.blocks.filter((b) => b.type === 'text')).trim();
      if (text) answerText = text;
    }
    return {
      position,
      userText,
      answerText,
      tools,
      turnKey: turnKeyAt(conversationId, messages, position, userText),
    };
  });
}

/**
 * A turn's key: the conversation, what the user typed and what they were answering (tells "yes"
 * after one answer from "yes" after another), so a retry or a resend of the same turn, live or in a
 * later request's history, yields the same key.
 */
function turnKeyAt(
  conversationId: string,
  messages: ParsedRequest['messages'],
  position: number,
  userText: string,
): string {
  let previousAnswer = '';
  for (let i = position - 1; i >= 0; i--) {
    const m = messages[i]!;
    if (m.role === 'assistant') {
      previousAnswer = textOf(m.blocks.filter((b) => b.type === 'text'));
      if (previousAnswer) break;
    }
  }
  return sha256(
    [conversationId, normaliseForKey(userText), normaliseForKey(previousAnswer).slice(0, 4000)].join(
      '\u0000',
    ),
  );
}
