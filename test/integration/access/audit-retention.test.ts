// Audit retention (setting auditRetentionDays): rows older than the retention are removed, newer
// ones kept — by AuditLog.prune with an injected clock, and by the access feature when the core starts.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Core } from '../../../main/core/core.js';
import { openDatabase } from '../../../main/core/db/database.js';
import { silentLogger } from '../../../main/core/log.js';
import { AuditLog, type AuthAttempt } from '../../../main/core/access/audit-log.js';
import { accessFeature } from '../../../main/core/access/access-feature.js';
import { tempDir } from '../../support/tmp.js';

const DAY = 86_400_000;
const attempt = (userId: string): AuthAttempt => ({
  userId,
  tokenId: null,
  tokenPrefix: null,
  outcome: 'failed',
  reason: 'unknown',
  via: 'rest',
  transport: 'http',
  clientIp: '127.0.0.1',
  userAgent: 'test',
});

describe('audit retention', () => {
  it('prune removes rows older than the retention and keeps the rest', () => {
    const db = openDatabase(path.join(tempDir('mem0-tray-audit-'), 'audit.db'));
    let now = Date.parse('2025-06-01T12:00:00Z');
    const audit = new AuditLog(db, { now: () => new Date(now), synchronous: true });
    try {
      audit.recordAuth(attempt('old')); // 2025-06-01
      now += 20 * DAY;
      audit.recordAuth(attempt('edge')); // 2025-06-21: exactly 10 days before the prune
      now += 5 * DAY;
      audit.recordAccess({
        caller: { userId: 'recent', via: 'mcp', tokenId: 't1' },
        action: 'list',
        memoryIds: ['m1'],
        count: 1,
        outcome: 'ok',
      });
      now += 5 * DAY; // 2025-07-01
      expect(audit.prune(10)).toBe(1);
      expect(audit.query().entries.map((e) => e.userId)).toEqual(['recent', 'edge']);
      expect(audit.prune(10)).toBe(0);
      now += 1;
      expect(audit.prune(10)).toBe(1);
      expect(audit.query().entries.map((e) => e.userId)).toEqual(['recent']);
    } finally {
      audit.close();
      db.close();
    }
  });

  it('the access feature prunes by the auditRetentionDays setting when the core starts', async () => {
    const home = tempDir('mem0-tray-retention-');
    fs.writeFileSync(path.join(home, 'settings.json'), JSON.stringify({ auditRetentionDays: 7 }));
    const start = () =>
      Core.start({
        env: { MEM0_TRAY_HOME: home, MEM0_TRAY_API_PORT: '0', MEM0_TRAY_USER_ID: 'alice' },
        log: silentLogger,
        features: [accessFeature],
        writeRuntime: false,
      });
    const first = await start();
    const ago = (days: number) => new Date(Date.now() - days * DAY);
    try {
      // Rows written as they would have been over the past weeks.
      for (const [user, days] of [
        ['thirty-days', 30],
        ['eight-days', 8],
        ['six-days', 6],
        ['today', 0],
      ] as const) {
        const log = new AuditLog(first.db, { now: () => ago(days), synchronous: true });
        log.recordAuth(attempt(user));
      }
      expect(first.feature('access')!.audit().total).toBe(4);
    } finally {
      await first.stop();
    }

    const second = await start();
    try {
      const users = second
        .feature('access')!
        .audit()
        .entries.map((e) => e.userId);
      expect(users).toEqual(['today', 'six-days']);
    } finally {
      await second.stop();
    }
  });
});
