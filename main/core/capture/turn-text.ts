// How a captured turn reads as one memory text, and back. Remote backends (Mem0) that want the
// turn as chat messages use parseTurnText instead of guessing. Captures store the length of the
// user's part in metadata.userChars, so a user text that itself contains "Assistant:" splits right.

const USER = 'User: ';
const ASSISTANT = '\n\nAssistant: ';

export function formatTurnText(userText: string, answerText: string): string {
  return `${USER}${userText}${ASSISTANT}${answerText}`;
}

/** The two halves of a text written by formatTurnText; null for any other text. */
export function parseTurnText(text: string, userChars?: number): { user: string; assistant: string } | null {
  if (!text.startsWith(USER)) return null;
  let i = userChars !== undefined ? USER.length + userChars : text.indexOf(ASSISTANT);
  if (i < USER.length || text.slice(i, i + ASSISTANT.length) !== ASSISTANT) i = text.indexOf(ASSISTANT);
  if (i === -1) return null;
  return { user: text.slice(USER.length, i), assistant: text.slice(i + ASSISTANT.length) };
}
