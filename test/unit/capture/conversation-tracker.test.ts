import { describe, expect, it } from 'vitest';
import { parseExchange } from '../../../main/core/capture/anthropic-parser.js';
import { ConversationTracker, type TurnAnalysis } from '../../../main/core/capture/conversation-tracker.js';
import type { CapturedExchange } from '../../../main/core/capture/exchange.js';
import { openDatabase } from '../../../main/core/db/database.js';
import { tempDir } from '../../support/tmp.js';
import { ccRequest, exchange, recordedExchange, sseText, sseToolUse, type Msg } from './exchanges.js';

function freshDb() {
  return openDatabase(`${tempDir()}/t.db`);
}

/** Analyses an exchange and, like the pipeline, claims the turn it finds. */
function observe(tracker: ConversationTracker, ex: CapturedExchange): TurnAnalysis {
  const parsed = parseExchange(ex);
  if (!parsed.ok) throw new Error(parsed.reason);
  const analysis = tracker.analyse(parsed.request, parsed.response, ex.requestHeaders);
  if (analysis.kind === 'turn') tracker.claim(analysis.turn, null);
  return analysis;
}

const turn = (session: string | null, messages: Msg[], answer: string) =>
  exchange({ requestBody: ccRequest(session, messages), responseBody: sseText(answer) });

describe('ConversationTracker', () => {
  it('stores each turn of a resent history once', () => {
    const tracker = new ConversationTracker(freshDb());
    const u1: Msg = { role: 'user', content: 'What is a monad?' };
    const a1: Msg = {
      role: 'assistant',
      content: [{ type: 'text', text: 'A monoid in the category of endofunctors.' }],
    };
    const u2: Msg = { role: 'user', content: 'Give an example.' };
    const first = observe(tracker, turn('s-1', [u1], 'A monoid in the category of endofunctors.'));
    const second = observe(tracker, turn('s-1', [u1, a1, u2], 'Maybe is one.'));
    // the client retries the second request (same history): nothing new
    const retry = observe(tracker, turn('s-1', [u1, a1, u2], 'Maybe is one, again.'));
    expect(first).toMatchObject({
      kind: 'turn',
      turn: { conversationId: 's-1', userText: 'What is a monad?' },
    });
    expect(second).toMatchObject({
      kind: 'turn',
      turn: { userText: 'Give an example.', answerText: 'Maybe is one.' },
    });
    expect(retry).toEqual({ kind: 'skip', reason: 'duplicate', conversationId: 's-1' });
  });

  it('keeps the same words said twice at different points of a conversation', () => {
    const tracker = new ConversationTracker(freshDb());
    const u1: Msg = { role: 'user', content: 'Plan the migration.' };
    const a1: Msg = { role: 'assistant', content: 'Step 1 is the schema.' };
    const yes: Msg = { role: 'user', content: 'yes' };
    const a2: Msg = { role: 'assistant', content: 'Schema done. Step 2 is the data.' };
    observe(tracker, turn('s-2', [u1], 'Step 1 is the schema.'));
    expect(observe(tracker, turn('s-2', [u1, a1, yes], 'Schema done. Step 2 is the data.')).kind).toBe(
      'turn',
    );
    expect(observe(tracker, turn('s-2', [u1, a1, yes, a2, yes], 'Data done.')).kind).toBe('turn');
  });

  it('waits for the end of a tool loop and reports the tools used, not their output', () => {
    const tracker = new ConversationTracker(freshDb());
    const u: Msg = { role: 'user', content: 'How big is the repo?' };
    const loop1 = exchange({
      requestBody: ccRequest('s-3', [u]),
      responseBody: sseToolUse('Bash', { command: 'du -sh .' }),
    });
    const call1: Msg = {
      role: 'assistant',
      content: [
        { type: 'text', text: 'Let me check.' },
        { type: 'tool_use', id: 't1', name: 'Bash', input: {} },
      ],
    };
    const result1: Msg = {
      role: 'user',
      content: [{ type: 'tool_result', tool_use_id: 't1', content: '42M\t.' }],
    };
    const loop2 = exchange({
      requestBody: ccRequest('s-3', [u, call1, result1]),
      responseBody: sseToolUse('Read', { file_path: 'README.md' }),
    });
    const call2: Msg = {
      role: 'assistant',
      content: [{ type: 'tool_use', id: 't2', name: 'Read', input: {} }],
    };
    const result2: Msg = {
      role: 'user',
      content: [
        { type: 'tool_result', tool_use_id: 't2', content: [{ type: 'text', text: '# Readme' }] },
        { type: 'text', text: '<system-reminder>x</system-reminder>' },
      ],
    };
    const final = turn('s-3', [u, call1, result1, call2, result2], 'The repository takes 42 MB.');

    expect(observe(tracker, loop1)).toMatchObject({ kind: 'skip', reason: 'tool_loop' });
    expect(observe(tracker, loop2)).toMatchObject({ kind: 'skip', reason: 'tool_loop' });
    const done = observe(tracker, final);
    expect(done).toMatchObject({
      kind: 'turn',
      turn: {
        userText: 'How big is the repo?',
        answerText: 'The repository takes 42 MB.',
        tools: ['Bash', 'Read'],
      },
    });
    if (done.kind === 'turn') expect(done.turn.answerText).not.toContain('42M\t.');
  });

  it('remembers turns across a restart (a new tracker on the same database)', () => {
    const db = freshDb();
    const u1: Msg = { role: 'user', content: 'Remember: deploys happen on Tuesdays.' };
    expect(observe(new ConversationTracker(db), turn('s-4', [u1], 'Noted.')).kind).toBe('turn');
    expect(observe(new ConversationTracker(db), turn('s-4', [u1], 'Noted.'))).toMatchObject({
      reason: 'duplicate',
    });
  });

  it('adds nothing twice across the recorded Claude Code session with /compact', () => {
    const tracker = new ConversationTracker(freshDb());
    const seq = [
      'cc-turn1',
      'cc-turn2-tool-use',
      'cc-turn2-final',
      'cc-after-compact',
      'cc-turn1',
      'cc-turn2-final',
      'cc-after-compact',
    ];
    const results = seq.map((name) => observe(tracker, recordedExchange(name)));
    const turns = results.flatMap((r) => (r.kind === 'turn' ? [r.turn] : []));
    expect(turns.map((t) => t.userText)).toEqual([
      'remember that my favourite editor is helix',
      'please run echo for me',
      'what editor do I like?',
    ]);
    expect(turns[1]!.tools).toEqual(['Bash']);
    expect(turns[1]!.answerText).toBe('The command printed fake-tool-output.');
    expect(new Set(turns.map((t) => t.conversationId)).size).toBe(1);
    expect(results.slice(4).map((r) => r.kind === 'skip' && r.reason)).toEqual([
      'duplicate',
      'duplicate',
      'duplicate',
    ]);
  });

  it('strips what Claude Code injects into user messages (reminders, slash-command echoes, the compaction summary)', () => {
    const tracker = new ConversationTracker(freshDb());
    const r = observe(tracker, recordedExchange('cc-after-compact'));
    expect(r).toMatchObject({ kind: 'turn', turn: { userText: 'what editor do I like?' } });
  });

  it('groups by a hash of the first user message when there is no session id', () => {
    const tracker = new ConversationTracker(freshDb());
    const u1: Msg = { role: 'user', content: [{ type: 'text', text: 'Summarise   RFC 9110' }] };
    const a1: Msg = { role: 'assistant', content: 'It defines HTTP semantics.' };
    const first = observe(tracker, turn(null, [u1], 'It defines HTTP semantics.'));
    const second = observe(
      tracker,
      turn(
        null,
        [{ role: 'user', content: 'summarise rfc 9110' }, a1, { role: 'user', content: 'And 9111?' }],
        'Caching.',
      ),
    );
    const other = observe(tracker, turn(null, [{ role: 'user', content: 'Something else' }], 'Sure.'));
    if (first.kind !== 'turn' || second.kind !== 'turn' || other.kind !== 'turn')
      throw new Error('expected turns');
    expect(first.turn.conversationId).toMatch(/^h-[0-9a-f]{24}$/);
    expect(second.turn.conversationId).toBe(first.turn.conversationId);
    expect(other.turn.conversationId).not.toBe(first.turn.conversationId);
  });

  it('falls back to the x-claude-code-session-id header', () => {
    const tracker = new ConversationTracker(freshDb());
    const ex = exchange({
      requestBody: ccRequest(null, [{ role: 'user', content: 'hi' }]),
      responseBody: sseText('hello'),
      requestHeaders: { 'x-claude-code-session-id': 'hdr-session' },
    });
    expect(observe(tracker, ex)).toMatchObject({ turn: { conversationId: 'hdr-session' } });
  });

  it.each([
    ['max_tokens', 'turn'],
    ['stop_sequence', 'turn'],
    ['end_turn', 'turn'],
    ['pause_turn', 'tool_loop'],
    ['refusal', 'stop_reason'],
  ])('stop_reason %s → %s', (stop, expected) => {
    const tracker = new ConversationTracker(freshDb());
    const ex = exchange({
      requestBody: ccRequest('s', [{ role: 'user', content: 'q' }]),
      responseBody: sseText('a', stop),
    });
    const r = observe(tracker, ex);
    expect(r.kind === 'turn' ? 'turn' : r.reason).toBe(expected);
  });

  it('skips a request with only tool results and client text, and an empty answer', () => {
    const tracker = new ConversationTracker(freshDb());
    const onlyInjected = turn(
      's',
      [{ role: 'user', content: '<system-reminder>ctx</system-reminder>' }],
      'ok',
    );
    expect(observe(tracker, onlyInjected)).toMatchObject({ reason: 'no_user_text' });
    const empty = turn('s', [{ role: 'user', content: 'hi' }], '   ');
    expect(observe(tracker, empty)).toMatchObject({ reason: 'no_answer' });
  });

  it('counts turns since a moment and prunes old keys', () => {
    let now = new Date('2026-01-01T00:00:00Z');
    const tracker = new ConversationTracker(freshDb(), { now: () => now });
    observe(tracker, turn('s', [{ role: 'user', content: 'old' }], 'a'));
    now = new Date('2026-03-01T00:00:00Z');
    observe(tracker, turn('s', [{ role: 'user', content: 'new' }], 'b'));
    expect(tracker.countSince(new Date('2026-02-01T00:00:00Z'))).toBe(1);
    expect(tracker.prune(30)).toBe(1);
    expect(observe(tracker, turn('s', [{ role: 'user', content: 'new' }], 'b'))).toMatchObject({
      reason: 'duplicate',
    });
  });
});
