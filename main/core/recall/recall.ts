// Recall without asking: what Claude Code's hooks bring into a session. At its start, a short brief
// of the project it works in; with each prompt, the few memories relevant enough to it, none given
// twice in a session, usually nothing. Only the caller's memories, of the current project (and
// those without a project) in `auto` isolation; never a private memory or one from an excluded
// project; every hand-out in the audit log with its ids. What is injected is wrapped in a tag that
// capture strips (recall-tag.ts), so it never comes back as a memory.
import { createExcludeMatcher } from '../capture/path-glob.js';
import type { Settings } from '../config/settings.js';
import type { Caller } from '../events.js';
import { resolveScope, type Identity } from '../access/isolation.js';
import type { MemoryService, ScopeFilter } from '../memory/service.js';
import { oneLine } from '../memory/excerpt.js';
import type { Memory, SearchHit } from '../memory/types.js';
import { reciprocalRankFusion } from '../memory/search/fusion.js';
import type { RecallEvent, RecallLog } from './recall-log.js';
import { wrapRecall } from './recall-tag.js';

/** What a hook sends (Claude Code's hook input, the fields we read). */
export interface HookInput {
  hook_event_name: string;
  session_id: string;
  cwd: string;
  prompt?: string;
  /** SessionStart: startup, resume, clear, compact. */
  source?: string;
}

export interface Injected {
  /** The text for Claude Code ('' for nothing). */
  context: string;
  memoryIds: string[];
  /** Why nothing was given, when nothing was. */
  reason?: string;
}

/** A prompt that says this gets nothing. */
export const NO_MEMORY_MARK = '#nomem';
/** Tokens counted as one per three characters: more than real text has, so budgets are kept. */
export const estimateTokens = (text: string) => Math.ceil(text.length / 3);

/**
 * A hit is relevant to a prompt when the prompt words it holds carry at least half the weight (idf)
 * of all its words, and are either two or more or one that at most a tenth of the memories hold
 * (weight ln 10): a memory that shares one common word with a prompt is not brought in.
 */
export const RELEVANCE = { share: 0.5, oneWordWeight: Math.log(10) } as const;
const PROMPT_CANDIDATES = 8;
const BRIEF_CANDIDATES = 40;
const BRIEF_LINE = 200;
const PROMPT_LINE = 400;

function relevant(hit: SearchHit): boolean {
  if (hit.matched) {
    const { words, weight, of } = hit.matched;
    return of > 0 && weight / of >= RELEVANCE.share && (words >= 2 || weight >= RELEVANCE.oneWordWeight);
  }
  // A backend that does not say what matched (Mem0) scores similarity from 0 to 1.
  return hit.score >= RELEVANCE.share && hit.score <= 1;
}

const isPrivate = (m: Memory) => m.metadata.private === true;

function line(m: Memory, max: number): string {
  return `- [${m.id}] ${m.createdAt.slice(0, 10)}: ${oneLine(m.text, max)}`;
}

export interface RecallDeps {
  memories: MemoryService;
  log: RecallLog;
  settings(): Settings;
}

export class Recall {
  constructor(private readonly deps: RecallDeps) {}

  async inject(identity: Identity, input: HookInput): Promise<Injected> {
    const settings = this.deps.settings();
    if (!settings.recall.enabled) return { context: '', memoryIds: [], reason: 'disabled' };
    if (createExcludeMatcher(settings.excludedProjects).match(input.cwd))
      return { context: '', memoryIds: [], reason: 'excluded_project' };
    const scope = resolveScope(settings, identity, input.cwd);
    // In auto isolation a session sees its project's memories and those that belong to none.
    const scopes: ScopeFilter[] =
      scope.mode === 'auto' && scope.read.projectId ? [scope.read, { projectId: null }] : [scope.read];
    const event: RecallEvent = input.hook_event_name === 'SessionStart' ? 'session' : 'prompt';
    if (event === 'session' && input.source !== 'resume') this.deps.log.forgetSession(input.session_id);
    const given = this.deps.log.given(input.session_id);
    const picked =
      event === 'session'
        ? await this.brief(scope.caller, scopes, given, settings.recall.sessionTokens)
        : await this.forPrompt(scope.caller, scopes, given, input.prompt ?? '', settings.recall.promptTokens);
    if (picked.memories.length === 0) return { context: '', memoryIds: [], reason: picked.reason };
    const memoryIds = picked.memories.map((m) => m.id);
    this.deps.memories.recalled(scope.caller, memoryIds);
    this.deps.log.record({
      at: new Date().toISOString(),
      userId: scope.caller.userId,
      sessionId: input.session_id,
      event,
      projectId: scope.read.projectId ?? null,
      memoryIds,
      chars: picked.context.length,
      tokens: estimateTokens(picked.context),
    });
    return { context: picked.context, memoryIds };
  }

  /** The project's memories worth knowing: those most often relevant to prompts first, then the newest. */
  private async brief(caller: Caller, scopes: ScopeFilter[], given: Set<string>, budget: number) {
    const pages = await Promise.all(
      scopes.map((s) => this.deps.memories.list(caller, s, { limit: BRIEF_CANDIDATES }, { audit: false })),
    );
    const newest = pages
      .flatMap((p) => p.items)
      .filter((m) => !isPrivate(m) && !given.has(m.id))
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    const uses = this.deps.log.uses(newest.map((m) => m.id));
    const ordered = [...newest].sort((a, b) => (uses.get(b.id) ?? 0) - (uses.get(a.id) ?? 0));
    return this.fit(
      'Memories from Mem0 Tray about this project, most used and newest first (get_memory gives the whole text by id):',
      ordered,
      budget,
      BRIEF_LINE,
      'no_memories',
    );
  }

  private async forPrompt(
    caller: Caller,
    scopes: ScopeFilter[],
    given: Set<string>,
    prompt: string,
    budget: number,
  ) {
    if (prompt.toLowerCase().includes(NO_MEMORY_MARK))
      return { context: '', memories: [] as Memory[], reason: 'nomem' };
    const lists = await Promise.all(
      scopes.map((s) =>
        this.deps.memories.search(caller, prompt, s, { limit: PROMPT_CANDIDATES }, { audit: false }),
      ),
    );
    const hits = reciprocalRankFusion(
      lists.map((l) => l.filter(relevant)),
      (h) => h.memory.id,
    )
      .map((f) => f.item.memory)
      .filter((m) => !isPrivate(m) && !given.has(m.id));
    return this.fit(
      'Memories from Mem0 Tray that may bear on this prompt (get_memory gives the whole text by id):',
      hits,
      budget,
      PROMPT_LINE,
      'nothing_relevant',
    );
  }

  /** As many memories as the budget holds, one line each under a heading, in the recall tag. */
  private fit(heading: string, memories: Memory[], budget: number, lineMax: number, emptyReason: string) {
    const lines: string[] = [];
    const kept: Memory[] = [];
    for (const m of memories) {
      const next = wrapRecall([heading, ...lines, line(m, lineMax)].join('\n'));
      if (estimateTokens(next) > budget) break;
      lines.push(line(m, lineMax));
      kept.push(m);
    }
    if (kept.length === 0) return { context: '', memories: kept, reason: emptyReason };
    return { context: wrapRecall([heading, ...lines].join('\n')), memories: kept, reason: undefined };
  }
}
