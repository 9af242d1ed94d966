// Restore next to another process that has the database open (Claude Desktop keeps `mcp stdio`
// running): it must see the restored memories, not go on with a file that was swapped away.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { backupDatabase, restoreDatabase } from '../../../main/core/db/backup.js';
import { openDatabase } from '../../../main/core/db/database.js';
import { LocalMemoryBackend } from '../../../main/core/memory/local-backend.js';
import { tempDir } from '../../support/tmp.js';

const texts = async (store: LocalMemoryBackend) =>
  (await store.list({ userId: 'u' }, { limit: 10 })).items.map((m) => m.text).sort();

describe('restore', () => {
  it('replaces the content under a connection that stays open, which then reads and writes the restored data', async () => {
    const file = path.join(tempDir(), 'mem0-tray.db');
    const stdio = new LocalMemoryBackend(openDatabase(file));
    await stdio.add({ userId: 'u', text: 'before the backup', source: 'manual' });
    const backup = path.join(tempDir(), 'backup.db');
    await backupDatabase(openDatabase(file), backup);
    await stdio.add({ userId: 'u', text: 'after the backup', source: 'manual' });

    const { keptAs, memories } = await restoreDatabase(backup, file);
    expect(memories).toBe(1);
    expect(await texts(stdio)).toEqual(['before the backup']);
    await stdio.add({ userId: 'u', text: 'written after the restore', source: 'manual' });

    const reopened = new LocalMemoryBackend(openDatabase(file));
    expect(await texts(reopened)).toEqual(['before the backup', 'written after the restore']);
    const kept = new LocalMemoryBackend(openDatabase(keptAs!, { readonly: true }));
    expect(await texts(kept)).toEqual(['after the backup', 'before the backup']);
    expect(fs.statSync(keptAs!).mode & 0o777).toBe(0o600);
  });

  it('restores a backup of another page size by moving the current database aside, WAL and all', async () => {
    const backup = path.join(tempDir(), 'backup.db');
    const raw = new Database(backup);
    raw.pragma('page_size = 8192');
    raw.exec('VACUUM');
    raw.close();
    // Left open: its memory is still in the WAL beside it, which a plain file copy would miss.
    const old = new LocalMemoryBackend(openDatabase(backup));
    await old.add({ userId: 'u', text: 'from the 8 KB-page backup', source: 'manual' });

    const file = path.join(tempDir(), 'mem0-tray.db');
    const current = openDatabase(file);
    await new LocalMemoryBackend(current).add({ userId: 'u', text: 'current', source: 'manual' });
    current.close();

    const { keptAs } = await restoreDatabase(backup, file);
    expect(await texts(new LocalMemoryBackend(openDatabase(file)))).toEqual(['from the 8 KB-page backup']);
    expect(await texts(new LocalMemoryBackend(openDatabase(keptAs!, { readonly: true })))).toEqual([
      'current',
    ]);
  });
});
