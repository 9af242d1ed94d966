import { describe, expect, it } from 'vitest';
import { cleanForStorage, redactSecrets, stripPrivate } from '../../../main/core/capture/privacy.js';

// Realistic-looking but fake values, assembled so no scanner mistakes this file for a leak.
const j = (...parts: string[]) => parts.join('');
const ANTHROPIC = j('sk-ant-', 'api03-', 'Xy9_kLmN0pQrStUvWxYz0123456789abcdefABCDEF-gh12AA');
const OPENAI = j('sk-', 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8S9t0');
const OPENAI_PROJ = j('sk-', 'proj-', 'Zq7mR4tW9yB2nC5xE8uH1kJ3lP6oS0dF_-ab');
const AKIA = j('AKIA', 'IOSFODNN7EXAMPLE');
const ASIA = j('ASIA', 'Y34FZKBOKMUTVV7A');
const AWS_SECRET = j('wJalrXUtnFEMI/K7MDENG/', 'bPxRfiCYEXAMPLEKEY');
const GHP = j('ghp_', '1a2B3c4D5e6F7g8H9i0J1k2L3m4N5o6P7q8R');
const GHS = j('ghs_', 'ZyXwVuTsRqPoNmLkJiHgFeDcBa0987654321');
const GHO = j('gho_', '16C7e42F292c6912E7710c838347Ae178B4a');
const GHU = j('ghu_', '16C7e42F292c6912E7710c838347Ae178B4a');
const GH_PAT = j('github_pat_', '11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUV');
const SLACK_B = j('xoxb-', '123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx');
const SLACK_P = j('xoxp-', '123456789012-1234567890123-1234567890123-abcdef0123456789');
const JWT = j(
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9',
  '.',
  'eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ',
  '.',
  'SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c',
);
const PEM = [
  j('-----BEGIN ', 'RSA PRIVATE KEY-----'),
  'MIIEowIBAAKCAQEA0Z3VS5JJcds3xfn/ygWyF8PbnGy0AHB7MhgHcTz6sE2I2yPB',
  'aFDrBz9vFqU4yQ3c5Ch9x0o2vE1oN8F9kZ0gq0Fh2cQ==',
  j('-----END ', 'RSA PRIVATE KEY-----'),
].join('\n');

describe('redactSecrets', () => {
  it.each([
    ['anthropic-key', `my key is ${ANTHROPIC} ok`, `my key is [REDACTED:anthropic-key] ok`],
    ['openai-key', `OPENAI: ${OPENAI}`, `OPENAI: [REDACTED:openai-key]`],
    ['openai project key', `use ${OPENAI_PROJ}.`, `use [REDACTED:openai-key].`],
    ['aws access key id (AKIA)', `id ${AKIA} here`, `id [REDACTED:aws-access-key-id] here`],
    ['aws access key id (ASIA)', `${ASIA}`, `[REDACTED:aws-access-key-id]`],
    [
      'aws secret key in context',
      `aws_secret_access_key = ${AWS_SECRET}`,
      `aws_secret_access_key = [REDACTED:aws-secret-key]`,
    ],
    [
      'aws secret key in JSON',
      `"SecretAccessKey": "${AWS_SECRET}"`,
      `"SecretAccessKey": "[REDACTED:aws-secret-key]"`,
    ],
    ['github ghp_', `token ${GHP}`, `token [REDACTED:github-token]`],
    ['github ghs_', `${GHS}`, `[REDACTED:github-token]`],
    ['github gho_', `${GHO}`, `[REDACTED:github-token]`],
    ['github ghu_', `${GHU}`, `[REDACTED:github-token]`],
    ['github fine-grained', `pat ${GH_PAT} end`, `pat [REDACTED:github-token] end`],
    ['slack bot', `slack ${SLACK_B}`, `slack [REDACTED:slack-token]`],
    ['slack user', `${SLACK_P}`, `[REDACTED:slack-token]`],
    ['jwt', `Authorization: Bearer ${JWT}`, `Authorization: Bearer [REDACTED:jwt]`],
    ['private key block', `key:\n${PEM}\ndone`, `key:\n[REDACTED:private-key]\ndone`],
    [
      'url password',
      'postgres://app:s3cr3t-pw@db.internal:5432/shop',
      'postgres://app:[REDACTED:url-password]@db.internal:5432/shop',
    ],
    ['KEY=value', 'DB_PASSWORD=hunter2', 'DB_PASSWORD=[REDACTED:secret-assignment]'],
    [
      'export KEY=value',
      '  export STRIPE_SECRET_KEY="abc def"',
      '  export STRIPE_SECRET_KEY=[REDACTED:secret-assignment]',
    ],
    ['lower-case .env key', 'api_key = 12345', 'api_key = [REDACTED:secret-assignment]'],
    [
      'YAML upper-case key',
      '  POSTGRES_PASSWORD: example',
      '  POSTGRES_PASSWORD: [REDACTED:secret-assignment]',
    ],
    ['access token', 'GITLAB_ACCESS_TOKEN=glpat-xyz', 'GITLAB_ACCESS_TOKEN=[REDACTED:secret-assignment]'],
  ])('%s', (_name, input, expected) => {
    expect(redactSecrets(input).text).toBe(expected);
  });

  it('redacts an unterminated private key to the end (fail closed)', () => {
    const cut = PEM.split('\n').slice(0, 2).join('\n');
    expect(redactSecrets(`here:\n${cut}`).text).toBe('here:\n[REDACTED:private-key]');
  });

  it('counts what it replaced by kind', () => {
    const r = redactSecrets(`${ANTHROPIC} ${ANTHROPIC} ${GHP}\nTOKEN=x`);
    expect(r.counts).toEqual({ 'anthropic-key': 2, 'github-token': 1, 'secret-assignment': 1 });
  });

  it.each([
    'MAX_TOKENS=4096',
    'the password policy requires 12 characters',
    'sk-short',
    'const token = getToken();',
    'https://example.com/path?q=1',
    'user@example.com',
    'Tokens: 1200 in, 300 out',
    'AKIAshort',
  ])('leaves ordinary text alone: %j', (text) => {
    expect(redactSecrets(text)).toEqual({ text, counts: {} });
  });
});

describe('stripPrivate', () => {
  it.each([
    ['system reminder', 'before<system-reminder>\nctx\n</system-reminder>after', 'beforeafter'],
    ['private block', 'I use <private>my bank PIN 1234</private> daily', 'I use  daily'],
    ['multi-line private, any case', 'a\n<PRIVATE>\nline1\nline2\n</Private>\nb', 'a\n\nb'],
    ['two private blocks', '<private>x</private>keep<private>y</private>', 'keep'],
    ['unclosed private hides the rest', 'public <private>secret to the end', 'public'],
    ['stray closing tag', 'text </private>', 'text'],
  ])('%s', (_name, input, expected) => {
    expect(stripPrivate(input)).toBe(expected);
  });
});

describe('cleanForStorage', () => {
  it('strips private parts and redacts secrets in what is left', () => {
    const r = cleanForStorage(`<private>${OPENAI}</private>deploy with ${GHP}`);
    expect(r.text).toBe('deploy with [REDACTED:github-token]');
    expect(r.text).not.toContain(OPENAI.slice(3));
  });
});
