// POST /hooks/claude-code on the API port: what Claude Code's hooks ask for (its prompt hook
// directly over http, its session hook through claude-hook.ts), authenticated like every other
// endpoint with a token of the user's. Answers the text to inject in Claude Code's hook output
// shape, or with ?output=context (the script, and tools) as {context, memory_ids, reason}.
import express, { type Router } from 'express';
import { z } from 'zod';
import { API_BODY_LIMIT } from '../api/server.js';
import { parseBody } from '../api/rest-records.js';
import type { Authenticator } from '../access/authenticate.js';
import { identityOf, requireToken } from '../access/http-auth.js';
import { HOOK_PATH, SCRIPT_OUTPUT } from './hook-route-path.js';
import type { Recall } from './recall.js';

export { HOOK_PATH };

const hookBody = z.object({
  hook_event_name: z.enum(['SessionStart', 'UserPromptSubmit']),
  session_id: z.string().min(1).max(200),
  cwd: z.string().min(1).max(4096),
  prompt: z.string().max(200_000).optional(),
  source: z.string().max(40).optional(),
});

export function mountRecallHook(router: Router, deps: { auth: Authenticator; recall: Recall }): void {
  router.post(
    HOOK_PATH,
    requireToken(deps.auth, 'hook'),
    express.json({ limit: API_BODY_LIMIT }),
    async (req, res) => {
      const input = parseBody(hookBody, req.body);
      const injected = await deps.recall.inject(identityOf(res), input);
      // Claude Code checks an http hook's answer against its own shape: nothing else may be in it.
      if (req.query.output !== SCRIPT_OUTPUT) {
        res.json(
          injected.context
            ? {
                hookSpecificOutput: {
                  hookEventName: input.hook_event_name,
                  additionalContext: injected.context,
                },
              }
            : {},
        );
        return;
      }
      res.json({
        context: injected.context,
        memory_ids: injected.memoryIds,
        reason: injected.reason ?? null,
      });
    },
  );
}
