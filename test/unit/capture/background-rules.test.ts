import { describe, expect, it } from 'vitest';
import { parseRequestBody } from '../../../main/core/capture/anthropic-parser.js';
import {
  DEFAULT_BACKGROUND_RULES,
  matchBackground,
  resolveBackgroundRules,
} from '../../../main/core/capture/background-rules.js';
import { fixtureText, recordedRequest } from './exchanges.js';

const req = (body: unknown) => parseRequestBody(JSON.stringify(body))!;
const rules = resolveBackgroundRules();

describe('background rules', () => {
  it('recognises the recorded Claude Code 2.1.328 title request', () => {
    expect(matchBackground(req(recordedRequest('cc-title').body), rules)?.id).toBe('session-title');
  });
  it('recognises a recorded subagent request by its header and by its billing line', () => {
    const sub = recordedRequest('cc-subagent');
    expect(matchBackground(req(sub.body), rules, sub.headers)?.id).toBe('subagent');
    expect(matchBackground(req(sub.body), rules)?.id).toBe('subagent-billing-line');
    const main = recordedRequest('cc-agent-notification');
    expect(matchBackground(req(main.body), rules, main.headers)).toBeNull();
  });
  it('recognises the recorded compaction request', () => {
    expect(matchBackground(req(recordedRequest('cc-compact').body), rules)?.id).toBe('compaction');
  });
  it.each(['cc-print-hello', 'cc-turn1', 'cc-turn2-tool-use', 'cc-turn2-final', 'cc-after-compact'])(
    'leaves the real turn %s alone',
    (name) => {
      expect(matchBackground(req(recordedRequest(name).body), rules)).toBeNull();
    },
  );
  it('leaves an SDK app request alone', () => {
    expect(matchBackground(parseRequestBody(fixtureText('sdk-all-blocks.request.json'))!, rules)).toBeNull();
  });
  it('recognises a quota probe', () => {
    const probe = {
      model: 'claude-haiku-4-5',
      max_tokens: 1,
      messages: [{ role: 'user', content: 'quota' }],
    };
    expect(matchBackground(req(probe), rules)?.id).toBe('quota-probe');
  });
  it('recognises older topic detection and a small model asked for a title', () => {
    const topic = {
      model: 'claude-3-5-haiku-20241022',
      max_tokens: 512,
      system: [
        {
          type: 'text',
          text: 'Analyze if this message indicates a new conversation topic. If it does, extract a 2-3 word title.',
        },
      ],
      messages: [{ role: 'user', content: 'fix the login bug' }],
    };
    expect(matchBackground(req(topic), rules)?.id).toBe('topic-detection');
    const title = {
      model: 'claude-haiku-5',
      max_tokens: 64,
      system: 'Write a short title for this chat.',
      messages: [{ role: 'user', content: 'x' }],
    };
    expect(matchBackground(req(title), rules)?.id).toBe('small-model-title');
    // the same with tools is a real conversation
    expect(matchBackground(req({ ...title, tools: [{ name: 'Bash' }] }), rules)).toBeNull();
  });
  it('recognises a reworded title request by its structured output', () => {
    const body = {
      model: 'claude-opus-5-5',
      tools: [],
      output_config: {
        format: {
          type: 'json_schema',
          schema: { type: 'object', properties: { title: { type: 'string' } } },
        },
      },
      messages: [{ role: 'user', content: 'name it' }],
    };
    expect(matchBackground(req(body), rules)?.id).toBe('title-schema');
  });
  it('can disable defaults and add rules from settings, and rejects malformed ones', () => {
    const custom = resolveBackgroundRules({
      disable: ['session-title', 'title-schema'],
      extra: [{ id: 'my-classifier', systemIncludes: ['classify this ticket'] }],
    });
    expect(custom.map((r) => r.id)).not.toContain('session-title');
    expect(matchBackground(req(recordedRequest('cc-title').body), custom)).toBeNull();
    const ticket = {
      system: 'Please classify this ticket.',
      messages: [{ role: 'user', content: 'x' }],
      tools: [{ name: 'a' }],
    };
    expect(matchBackground(req(ticket), custom)?.id).toBe('my-classifier');
    expect(() => resolveBackgroundRules({ extra: [{ id: 'x', bogus: true }] })).toThrow();
  });
  it('never lets a rule without conditions match everything', () => {
    expect(
      matchBackground(req(recordedRequest('cc-turn1').body), [{ id: 'empty', description: '' }]),
    ).toBeNull();
  });
  it('documents every default rule', () => {
    for (const r of DEFAULT_BACKGROUND_RULES) expect(r.description.length).toBeGreaterThan(5);
  });
});
