// Privacy before storage: what the user marked private and what the client injected is removed,
// and secrets are replaced by a visible marker such as [REDACTED:anthropic-key], so a memory never
// holds a credential and the reader can still see that something was there.
import { RECALL_BLOCK } from '../recall/recall-tag.js';

export type SecretKind =
  | 'private-key'
  | 'anthropic-key'
  | 'openai-key'
  | 'aws-access-key-id'
  | 'aws-secret-key'
  | 'github-token'
  | 'slack-token'
  | 'jwt'
  | 'url-password'
  | 'secret-assignment';

export const redactionMarker = (kind: SecretKind) => `[REDACTED:${kind}]`;

/** Words that make a variable name look like it holds a secret. */
const SECRET_NAME =
  '[A-Za-z0-9_.-]*(?:PASSWORD|PASSWD|PASSPHRASE|SECRET|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CLIENT_?SECRET|CREDENTIALS?|AUTH_?KEY|SESSION_?KEY|SIGNING_?KEY|DSN)[A-Za-z0-9_.-]*';

/** Names that contain a secret word but hold a count (MAX_TOKENS=4096). */
const NOT_SECRET_NAME = /TOKENS$|TOKEN_?(?:LIMIT|COUNT|BUDGET)$/i;

interface SecretRule {
  kind: SecretKind;
  pattern: RegExp;
  /** Builds the replacement from the match groups; default: the whole match becomes the marker. */
  replace?: (match: string, ...groups: string[]) => string;
}

/** Order matters: specific formats before generic ones (sk-ant- before sk-, PEM before KEY=value). */
const RULES: SecretRule[] = [
  {
    kind: 'private-key',
    // An unterminated block is redacted to the end of the text (fail closed).
    pattern: /-----BEGIN ([A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?)-----[\s\S]*?(?:-----END \1-----|$)/g,
  },
  { kind: 'anthropic-key', pattern: /\bsk-ant-[A-Za-z0-9_-]{16,}/g },
  { kind: 'openai-key', pattern: /\bsk-(?:proj-|svcacct-|admin-|None-)?[A-Za-z0-9_-]{20,}/g },
  {
    kind: 'aws-access-key-id',
    pattern: /\b(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA)[A-Z0-9]{16}\b/g,
  },
  {
    // A secret access key is 40 base64 characters: only redacted next to a name that says so.
    kind: 'aws-secret-key',
    pattern:
      /\b(aws_?secret_?access_?key|aws_?secret_?key|secret_?access_?key|SecretAccessKey)(["']?\s*[:=]\s*["']?)([A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])/gi,
    replace: (_m, name: string, sep: string) => `${name}${sep}${redactionMarker('aws-secret-key')}`,
  },
  { kind: 'github-token', pattern: /\b(?:ghp|gho|ghs|ghu|ghr)_[A-Za-z0-9]{30,255}\b/g },
  { kind: 'github-token', pattern: /\bgithub_pat_[A-Za-z0-9_]{22,255}\b/g },
  { kind: 'slack-token', pattern: /\bxox[abprs]-[A-Za-z0-9-]{10,}/g },
  { kind: 'jwt', pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g },
  {
    kind: 'url-password',
    pattern: /\b([a-z][a-z0-9+.-]*:\/\/)([^\s:@/]+):([^\s@/]+)@/gi,
    replace: (_m, scheme: string, user: string) => `${scheme}${user}:${redactionMarker('url-password')}@`,
  },
  {
    // KEY=value and export KEY=value (shell, .env, ini), and KEY: value for upper-case keys (YAML,
    // docker-compose). The name stays so the memory still says which setting it was.
    kind: 'secret-assignment',
    pattern: new RegExp(
      `^([ \\t]*(?:export[ \\t]+|set[ \\t]+)?)(${SECRET_NAME})([ \\t]*=[ \\t]*)(\\S.*?)[ \\t]*$`,
      'gim',
    ),
    replace: (m, lead: string, name: string, sep: string, value: string) =>
      value.startsWith('[REDACTED:') || NOT_SECRET_NAME.test(name)
        ? m
        : `${lead}${name}${sep}${redactionMarker('secret-assignment')}`,
  },
  {
    kind: 'secret-assignment',
    pattern: new RegExp(
      `^([ \\t]*-?[ \\t]*)(${SECRET_NAME.replace(/\[A-Za-z/g, '[A-Z')})(:[ \\t]+)(\\S.*?)[ \\t]*$`,
      'gm',
    ),
    replace: (m, lead: string, name: string, sep: string, value: string) =>
      value.startsWith('[REDACTED:') || !/^[A-Z0-9_.-]+$/.test(name) || NOT_SECRET_NAME.test(name)
        ? m
        : `${lead}${name}${sep}${redactionMarker('secret-assignment')}`,
  },
];

export interface RedactionResult {
  text: string;
  /** How many secrets of each kind were replaced. */
  counts: Partial<Record<SecretKind, number>>;
}

export function redactSecrets(text: string): RedactionResult {
  const counts: Partial<Record<SecretKind, number>> = {};
  let out = text;
  for (const rule of RULES) {
    rule.pattern.lastIndex = 0;
    out = out.replace(rule.pattern, (...args: unknown[]) => {
      const match = args[0] as string;
      const groups = args.slice(1, -2) as string[];
      const replaced = rule.replace ? rule.replace(match, ...groups) : redactionMarker(rule.kind);
      if (replaced !== match) counts[rule.kind] = (counts[rule.kind] ?? 0) + 1;
      return replaced;
    });
  }
  return { text: out, counts };
}

/**
 * Removes <system-reminder> blocks, what Mem0 Tray's hooks injected (recall-tag.ts) and everything
 * inside <private>…</private>. An unclosed
 * <private> hides the rest of the text: what the user meant to keep private stays private.
 */
export function stripPrivate(text: string): string {
  return text
    .replace(/<system-reminder(?:\s[^>]*)?>[\s\S]*?(?:<\/system-reminder\s*>|$)/gi, '')
    .replace(RECALL_BLOCK, '')
    .replace(/<private(?:\s[^>]*)?>[\s\S]*?(?:<\/private\s*>|$)/gi, '')
    .replace(/<\/private\s*>/gi, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Everything that happens to a text before it may be stored. */
export function cleanForStorage(text: string): RedactionResult {
  return redactSecrets(stripPrivate(text));
}
