// The tag around everything the hooks inject. Claude Code 2.1.328 puts a hook's output in a
// `role: "system"` message ("SessionStart:startup hook success: …" for a command hook's output,
// "UserPromptSubmit hook additional context: …" for an http hook's), which capture does not read; other
// versions or clients may put it in the user's message or Claude may quote it, so capture strips
// the tag wherever it appears (capture/privacy.ts, capture/user-text.ts): what was recalled is
// never stored again as a new memory.
export const RECALL_TAG = 'mem0-tray-recall';

export function wrapRecall(text: string): string {
  return `<${RECALL_TAG}>\n${text}\n</${RECALL_TAG}>`;
}

/** The tag and what it holds, with the label a client may put before it. */
export const RECALL_BLOCK = new RegExp(
  `(?:(?:SessionStart:\\w+|UserPromptSubmit) hook (?:success|additional context):\\s*)?<${RECALL_TAG}>[\\s\\S]*?(?:</${RECALL_TAG}\\s*>|$)`,
  'gi',
);
