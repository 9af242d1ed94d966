// Which requests are the client talking to itself (session titles, quota probes, compaction
// summaries) rather than the user talking to Claude. Each rule is plain data, so the defaults can be
// listed, switched off or extended from settings; every condition of a rule must hold for it to match.
import { z } from 'zod';
import { textOf, type ParsedRequest } from './anthropic-types.js';

export const backgroundRuleSchema = z.strictObject({
  id: z.string().min(1),
  description: z.string().default(''),
  /** The system prompt contains any of these (case-insensitive). */
  systemIncludes: z.array(z.string().min(1)).optional(),
  /** The last user message's text contains any of these (case-insensitive). */
  lastUserIncludes: z.array(z.string().min(1)).optional(),
  /** The request offers no tools at all. */
  noTools: z.boolean().optional(),
  /** max_tokens is at most this. */
  maxTokensAtMost: z.number().int().min(0).optional(),
  /** The model id contains any of these (case-insensitive), e.g. "haiku". */
  modelIncludes: z.array(z.string().min(1)).optional(),
  /** Structured output whose JSON schema has exactly these properties (any order). */
  outputSchemaKeys: z.array(z.string().min(1)).optional(),
  /** The request carries any of these headers (lower-case names). */
  headerPresent: z.array(z.string().min(1)).optional(),
});

export type BackgroundRule = z.output<typeof backgroundRuleSchema>;

/**
 * The settings-friendly shape (the `captureRules` setting): default rules can be disabled by
 * id and extra rules added.
 */
export const backgroundRulesSettingSchema = z.strictObject({
  disable: z.array(z.string()).default([]),
  extra: z.array(backgroundRuleSchema).default([]),
});
export type BackgroundRulesSetting = z.input<typeof backgroundRulesSettingSchema>;

export const DEFAULT_BACKGROUND_RULES: readonly BackgroundRule[] = [
  {
    // Claude Code 2.1.328 subagents (Agent tool, e.g. "Explore"; recorded: cc-subagent.request.json):
    // same session id, but the "user" message is the prompt the main agent wrote, not the user's
    // words. The client marks them with an x-claude-code-agent-id header and "cc_is_subagent=true"
    // in the billing line of the system prompt. The subagent's result reaches the main thread,
    // whose final answer is captured there.
    id: 'subagent',
    description: 'Claude Code subagent (Agent tool): prompt written by Claude, not the user',
    headerPresent: ['x-claude-code-agent-id'],
  },
  {
    id: 'subagent-billing-line',
    description: 'Claude Code subagent, recognised by cc_is_subagent=true in the system prompt',
    systemIncludes: ['cc_is_subagent=true'],
  },
  {
    // Claude Code 2.1.328 (recorded: test/fixtures/anthropic/cc-title.request.json), sent on the
    // first prompt of an interactive session: same model as the session, `tools: []`, a system
    // prompt "You are naming a coding session so the user can pick it out of a long list…", the
    // user's words wrapped in <session>…</session>, and output_config.format = JSON schema {title}.
    id: 'session-title',
    description: 'Claude Code names the session (title generation)',
    systemIncludes: ['naming a coding session'],
    noTools: true,
  },
  {
    // The same request recognised by its shape alone: no tools and structured output asking only
    // for a title. Catches reworded title prompts of later releases.
    id: 'title-schema',
    description: 'A tool-less request whose structured output is only a title',
    noTools: true,
    outputSchemaKeys: ['title'],
  },
  {
    // Claude Code 0.2–1.x: a Haiku request without tools whose system prompt reads "Analyze if this
    // message indicates a new conversation topic. If it does, extract a 2-3 word title…" and asks
    // for JSON {isNewTopic, title}. Not sent by 2.1.328; kept for older clients.
    id: 'topic-detection',
    description: 'Older Claude Code: new-topic detection and title',
    systemIncludes: ['new conversation topic'],
    noTools: true,
  },
  {
    // Small/Haiku model, no tools, and a system prompt about a title: the generic form of the
    // above for other Claude clients (e.g. chat front-ends naming a thread).
    id: 'small-model-title',
    description: 'A small model asked for a title, without tools',
    modelIncludes: ['haiku'],
    noTools: true,
    systemIncludes: ['title'],
  },
  {
    // Claude Code 1.x/2.0 probes the account's quota at start-up: model Haiku, max_tokens 1, one
    // user message "quota". Not observed with an API key in 2.1.328; harmless to keep.
    id: 'quota-probe',
    description: 'Quota probe (max_tokens 1, "quota")',
    maxTokensAtMost: 1,
    lastUserIncludes: ['quota'],
  },
  {
    // Any request that can produce at most one token carries nothing worth remembering.
    id: 'one-token',
    description: 'max_tokens of 1 (probes and warm-ups)',
    maxTokensAtMost: 1,
  },
  {
    // Claude Code 2.1.328 /compact and auto-compaction (recorded: cc-compact.request.json): the
    // whole history plus a user message "CRITICAL: Respond with TEXT ONLY… Your task is to create a
    // detailed summary of the conversation so far…". The summary is not the user's words.
    id: 'compaction',
    description: 'Context compaction: Claude summarising the conversation',
    lastUserIncludes: ['create a detailed summary of the conversation so far'],
  },
  {
    // Older Claude Code (1.x) summarised a finished session for the resume picker:
    // "Summarize this coding conversation in under 50 characters…".
    id: 'session-summary',
    description: 'Older Claude Code: one-line session summary',
    lastUserIncludes: ['Summarize this coding conversation in under 50 characters'],
  },
];

/** The default rules minus the disabled ones, plus the extra ones (validated). */
export function resolveBackgroundRules(setting?: unknown): BackgroundRule[] {
  if (setting === undefined || setting === null) return [...DEFAULT_BACKGROUND_RULES];
  const parsed = backgroundRulesSettingSchema.parse(setting);
  const disabled = new Set(parsed.disable);
  return [...DEFAULT_BACKGROUND_RULES.filter((r) => !disabled.has(r.id)), ...parsed.extra];
}

const includesAny = (haystack: string, needles: readonly string[]) => {
  const h = haystack.toLowerCase();
  return needles.some((n) => h.includes(n.toLowerCase()));
};

function lastUserText(request: ParsedRequest): string {
  for (let i = request.messages.length - 1; i >= 0; i--) {
    const m = request.messages[i]!;
    if (m.role === 'user') return textOf(m.blocks);
  }
  return '';
}

export function ruleMatches(
  rule: BackgroundRule,
  request: ParsedRequest,
  headers: Record<string, string> = {},
): boolean {
  if (rule.headerPresent && !rule.headerPresent.some((h) => headers[h.toLowerCase()] !== undefined))
    return false;
  if (rule.noTools !== undefined && rule.noTools !== (request.toolNames.length === 0)) return false;
  if (
    rule.maxTokensAtMost !== undefined &&
    (request.maxTokens === null || request.maxTokens > rule.maxTokensAtMost)
  ) {
    return false;
  }
  if (rule.modelIncludes && !includesAny(request.model ?? '', rule.modelIncludes)) return false;
  if (rule.systemIncludes && !includesAny(request.system, rule.systemIncludes)) return false;
  if (rule.outputSchemaKeys) {
    const want = [...rule.outputSchemaKeys].sort().join('\0');
    if ([...request.outputSchemaKeys].sort().join('\0') !== want) return false;
  }
  if (rule.lastUserIncludes && !includesAny(lastUserText(request), rule.lastUserIncludes)) return false;
  // A rule with no condition would match everything: treat it as matching nothing.
  return (
    rule.noTools !== undefined ||
    rule.maxTokensAtMost !== undefined ||
    !!rule.modelIncludes ||
    !!rule.systemIncludes ||
    !!rule.outputSchemaKeys ||
    !!rule.lastUserIncludes ||
    !!rule.headerPresent
  );
}

/** The first rule that says this request is background traffic, or null. */
export function matchBackground(
  request: ParsedRequest,
  rules: readonly BackgroundRule[],
  headers: Record<string, string> = {},
): BackgroundRule | null {
  return rules.find((r) => ruleMatches(r, request, headers)) ?? null;
}
