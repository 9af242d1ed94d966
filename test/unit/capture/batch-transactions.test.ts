// A batch's turns share one transaction; writes that others wait for (accept records) are let in
// between two turns and committed with the batch so far, and a rolled-back part is redone turn by
// turn without losing them.
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../../main/core/db/database.js';
import { silentLogger } from '../../../main/core/log.js';
import { BatchTransactions, type Interlude } from '../../../main/core/capture/pipeline/batch-transactions.js';
import { tempDir } from '../../support/tmp.js';

const opened: Db[] = [];
afterEach(() => {
  for (const db of opened.splice(0)) db.close();
});

function table(): { db: Db; file: string } {
  const file = path.join(tempDir(), 'batch.db');
  const db = openDatabase(file);
  opened.push(db);
  db.exec('CREATE TABLE t (x INTEGER)');
  return { db, file };
}

/** What a second connection sees: only what was committed. */
function committed(file: string): number[] {
  const reader = openDatabase(file, { readonly: true });
  try {
    return (reader.prepare('SELECT x FROM t ORDER BY rowid').all() as Array<{ x: number }>).map((r) => r.x);
  } finally {
    reader.close();
  }
}

const spin = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until);
};

/** An interlude with one write waiting from the start; records what happened to it. */
function oneWaitingWrite(db: Db, file: string, options: { failWithin?: boolean } = {}) {
  const events: string[] = [];
  let waiting = true;
  const interlude: Interlude<string> = {
    take: () => (waiting ? ((waiting = false), 'accept') : null),
    writeWithin: () => {
      db.prepare('INSERT INTO t VALUES (100)').run();
      if (options.failWithin) throw new Error('SQLite ended the transaction');
      events.push('within');
    },
    committed: () => events.push(`committed, visible: ${committed(file).join(',')}`),
    writeAlone: () => {
      db.prepare('INSERT INTO t VALUES (100)').run();
      events.push('alone');
    },
  };
  return { interlude, events };
}

describe('batch transactions', () => {
  it('lets a waiting write in between two turns and commits it with the turns before it', () => {
    const { db, file } = table();
    const { interlude, events } = oneWaitingWrite(db, file);
    const batch = new BatchTransactions(db, silentLogger);
    const outcomes = batch.run(
      [0, 1, 2, 3],
      (x) => {
        db.prepare('INSERT INTO t VALUES (?)').run(x);
        spin(5); // longer than a batch runs before it lets waiting writes in
        return x * 10;
      },
      interlude,
    );
    expect(outcomes).toEqual([0, 10, 20, 30]);
    // Confirmed once turn 0 and the write were committed, long before the batch ended.
    expect(events).toEqual(['within', 'committed, visible: 0,100']);
    expect(committed(file)).toEqual([0, 100, 1, 2, 3]);
  });

  it('redoes a rolled-back part turn by turn, and writes the waiting write on its own', () => {
    const { db, file } = table();
    const { interlude, events } = oneWaitingWrite(db, file, { failWithin: true });
    const batch = new BatchTransactions(db, silentLogger);
    const outcomes = batch.run(
      [0, 1, 2],
      (x) =>
        batch.atomically(() => {
          db.prepare('INSERT INTO t VALUES (?)').run(x);
          spin(5);
          return x;
        }),
      interlude,
    );
    expect(outcomes).toEqual([0, 1, 2]);
    expect(events).toEqual(['alone']);
    // Each once: the rolled-back turn 0 and the write were written again, on their own.
    expect(committed(file)).toEqual([100, 0, 1, 2]);
  });

  it('ends the batch when a turn fails part-way, and each turn gets its own try', () => {
    const { db, file } = table();
    let lostOnce = true;
    const batch = new BatchTransactions(db, silentLogger);
    const outcomes = batch.run([0, 1, 2], (x) =>
      batch.atomically(() => {
        db.prepare('INSERT INTO t VALUES (?)').run(x);
        if (x === 1 && lostOnce) {
          lostOnce = false;
          throw new Error('disk I/O error');
        }
        return x;
      }),
    );
    expect(outcomes).toEqual([0, 1, 2]);
    expect(committed(file)).toEqual([0, 1, 2]);
  });
});
