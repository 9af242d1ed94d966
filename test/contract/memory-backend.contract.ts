// The MemoryBackend contract: every backend (local, mem0-platform, mem0-server) must pass these.
// Call runMemoryBackendContract() from a test file with a factory for a fresh, empty backend.
import { describe, expect, it, beforeEach, afterEach } from 'vitest';
import { isExcerptOf } from '../../main/core/memory/excerpt.js';
import type { MemoryBackend, Memory } from '../../main/core/memory/types.js';

export interface ContractOptions {
  /** Remote backends may rewrite text when extracting memories; local keeps it verbatim. */
  verbatimText: boolean;
  /** Whether the backend records history entries for every change. */
  recordsHistory: boolean;
}

async function collect(iter: AsyncIterable<Memory>): Promise<Memory[]> {
  const out: Memory[] = [];
  for await (const m of iter) out.push(m);
  return out;
}

export function runMemoryBackendContract(
  name: string,
  makeBackend: () => Promise<MemoryBackend>,
  options: ContractOptions = { verbatimText: true, recordsHistory: true },
): void {
  describe(`MemoryBackend contract: ${name}`, () => {
    let backend: MemoryBackend;
    beforeEach(async () => {
      backend = await makeBackend();
    });
    afterEach(async () => {
      await backend.close();
    });

    it('adds a memory and gets it back with its owner and provenance', async () => {
      const [added] = await backend.add({
        userId: 'alice',
        text: 'The deploy script lives in tools/deploy.sh and needs AWS_PROFILE=staging',
        source: 'manual',
        projectId: 'proj-a',
        conversationId: 'conv-1',
        model: 'claude-sonnet-4-5',
        metadata: { tools: ['Bash'] },
      });
      expect(added).toBeDefined();
      const got = await backend.get(added!.id);
      expect(got).not.toBeNull();
      expect(got!.userId).toBe('alice');
      expect(got!.projectId).toBe('proj-a');
      expect(got!.source).toBe('manual');
      if (options.verbatimText) expect(got!.text).toBe(added!.text);
      expect(got!.metadata).toMatchObject({ tools: ['Bash'] });
      expect(Date.parse(got!.createdAt)).not.toBeNaN();
    });

    it('returns null for an unknown id', async () => {
      expect(await backend.get('00000000-0000-4000-8000-000000000000')).toBeNull();
    });

    it('rejects an empty text', async () => {
      await expect(backend.add({ userId: 'alice', text: '   ', source: 'manual' })).rejects.toThrow(
        /non-empty/,
      );
    });

    it('updates text and records the change in history', async () => {
      const [m] = await backend.add({
        userId: 'alice',
        text: 'Uses PostgreSQL 15 for the main database',
        source: 'manual',
      });
      const updated = await backend.update(m!.id, { text: 'Uses PostgreSQL 16 for the main database' });
      expect(updated.text).toBe('Uses PostgreSQL 16 for the main database');
      expect((await backend.get(m!.id))!.text).toBe('Uses PostgreSQL 16 for the main database');
      if (options.recordsHistory) {
        const history = await backend.history(m!.id);
        expect(history.map((h) => h.event)).toEqual(['ADD', 'UPDATE']);
        expect(history[0]!.newText).toBe(m!.text);
        expect(history[1]!.oldText).toBe(m!.text);
        expect(history[1]!.newText).toBe('Uses PostgreSQL 16 for the main database');
      }
    });

    it('deletes: gone from get, list, search and export at once, and history says DELETE', async () => {
      const [keep] = await backend.add({
        userId: 'alice',
        text: 'Prefers tabs over spaces in Go files',
        source: 'manual',
      });
      const [gone] = await backend.add({
        userId: 'alice',
        text: 'Prefers pnpm over npm for monorepos',
        source: 'manual',
      });
      expect(await backend.delete(gone!.id)).toBe(true);
      expect(await backend.get(gone!.id)).toBeNull();
      const listed = await backend.list({ userId: 'alice' });
      expect(listed.items.map((m) => m.id)).toEqual([keep!.id]);
      const hits = await backend.search('prefers', { userId: 'alice' });
      expect(hits.map((h) => h.memory.id)).toEqual([keep!.id]);
      const exported = await collect(backend.export({ userId: 'alice' }));
      expect(exported.map((m) => m.id)).toEqual([keep!.id]);
      expect(await backend.delete(gone!.id)).toBe(false);
      if (options.recordsHistory) {
        const history = await backend.history(gone!.id);
        expect(history.map((h) => h.event)).toEqual(['ADD', 'DELETE']);
        expect(history[0]!.newText).toBe('Prefers pnpm over npm for monorepos');
        expect(history[1]!.oldText).toBe('Prefers pnpm over npm for monorepos');
        expect(history[1]!.newText).toBeNull();
      }
    });

    it('lists newest first with filters and cursor pagination', async () => {
      for (let i = 0; i < 7; i++) {
        await backend.add({
          userId: 'alice',
          text: `note number ${i} about the build`,
          source: i % 2 === 0 ? 'proxy' : 'mcp',
          projectId: i < 4 ? 'p1' : 'p2',
          createdAt: new Date(Date.UTC(2026, 0, 1 + i)).toISOString(),
        });
      }
      await backend.add({ userId: 'bob', text: 'bob note about the build', source: 'manual' });

      const first = await backend.list({ userId: 'alice' }, { limit: 3, withTotal: true });
      expect(first.items.map((m) => m.text)).toEqual([
        'note number 6 about the build',
        'note number 5 about the build',
        'note number 4 about the build',
      ]);
      expect(first.total).toBe(7);
      const second = await backend.list({ userId: 'alice' }, { limit: 3, cursor: first.nextCursor });
      const third = await backend.list({ userId: 'alice' }, { limit: 3, cursor: second.nextCursor });
      expect([...first.items, ...second.items, ...third.items]).toHaveLength(7);
      expect(third.nextCursor).toBeNull();

      expect((await backend.list({ userId: 'alice', projectId: 'p1' })).items).toHaveLength(4);
      expect((await backend.list({ userId: 'alice', source: 'mcp' })).items).toHaveLength(3);
      const ranged = await backend.list({
        userId: 'alice',
        since: new Date(Date.UTC(2026, 0, 3)).toISOString(),
        until: new Date(Date.UTC(2026, 0, 5)).toISOString(),
      });
      expect(ranged.items.map((m) => m.text)).toEqual([
        'note number 3 about the build',
        'note number 2 about the build',
      ]);
      expect((await backend.list({ userId: 'bob' })).items).toHaveLength(1);
    });

    it('searches only the given user, best match first, with a snippet', async () => {
      await backend.add({
        userId: 'alice',
        text: 'The staging cluster runs on Kubernetes 1.30 in eu-west-1',
        source: 'manual',
      });
      await backend.add({
        userId: 'alice',
        text: 'Kubernetes manifests live in deploy/k8s; Kubernetes secrets via sealed-secrets',
        source: 'manual',
      });
      await backend.add({ userId: 'alice', text: 'Lunch is at noon', source: 'manual' });
      await backend.add({ userId: 'bob', text: 'Kubernetes is bob only', source: 'manual' });
      const hits = await backend.search('kubernetes', { userId: 'alice' });
      expect(hits).toHaveLength(2);
      expect(hits.every((h) => h.memory.userId === 'alice')).toBe(true);
      expect(hits[0]!.score).toBeGreaterThanOrEqual(hits[1]!.score);
      // Each excerpt comes from its own memory's text, its matches ranges on it.
      for (const hit of hits) {
        expect(hit.snippet.text.replaceAll('…', '').trim()).not.toBe('');
        expect(isExcerptOf(hit.snippet, hit.memory.text)).toBe(true);
        const { text, matches } = hit.snippet;
        expect(matches.map(([a, b]) => text.slice(a, b).toLowerCase())).toContain('kubernetes');
      }
    });

    it("finds the caller's matches even when another user's memories rank higher", async () => {
      for (let i = 0; i < 60; i++) {
        await backend.add({
          userId: 'bob',
          text: `terraform terraform terraform plan ${i}`,
          source: 'manual',
        });
      }
      await backend.add({
        userId: 'alice',
        text: 'We pinned terraform to 1.7 in the infra repo, see the long discussion in the team wiki about providers and modules',
        source: 'manual',
      });
      await backend.add({
        userId: 'alice',
        text: 'terraform state lives in an S3 bucket with DynamoDB locking, which was migrated last spring by the platform group',
        source: 'manual',
      });
      const hits = await backend.search('terraform', { userId: 'alice' }, { limit: 5 });
      expect(hits).toHaveLength(2);
      expect(hits.every((h) => h.memory.userId === 'alice')).toBe(true);
    });

    it('finds a word while it is being typed', async () => {
      await backend.add({
        userId: 'alice',
        text: 'The billing service retries failed invoices nightly',
        source: 'manual',
      });
      for (const typed of ['billi', 'billin', 'billing', 'billing serv', 'service billin']) {
        const hits = await backend.search(typed, { userId: 'alice' }, { prefix: true });
        expect(
          hits.map((h) => h.memory.text),
          typed,
        ).toEqual(['The billing service retries failed invoices nightly']);
      }
    });

    it('treats FTS syntax in a query as plain words', async () => {
      await backend.add({
        userId: 'alice',
        text: 'Use "NEAR" carefully: AND OR NOT are words too',
        source: 'manual',
      });
      await expect(backend.search('NEAR(" AND OR * -', { userId: 'alice' })).resolves.toBeInstanceOf(Array);
      expect(await backend.search('', { userId: 'alice' })).toEqual([]);
    });

    it('forgets everything of one user and nothing of another', async () => {
      const [a] = await backend.add({ userId: 'alice', text: 'alice secret plan one', source: 'manual' });
      await backend.add({ userId: 'alice', text: 'alice secret plan two', source: 'manual' });
      await backend.add({ userId: 'bob', text: 'bob plan', source: 'manual' });
      expect(await backend.deleteAllOfUser('alice')).toBe(2);
      expect((await backend.list({ userId: 'alice' })).items).toEqual([]);
      expect(await backend.search('plan', { userId: 'alice' })).toEqual([]);
      expect((await backend.list({ userId: 'bob' })).items).toHaveLength(1);
      if (options.recordsHistory) expect(await backend.history(a!.id)).toEqual([]);
    });

    it('makes add idempotent with an idempotency key', async () => {
      const first = await backend.add({
        userId: 'alice',
        text: 'captured turn 1',
        source: 'proxy',
        idempotencyKey: 'cap-1',
      });
      const again = await backend.add({
        userId: 'alice',
        text: 'captured turn 1',
        source: 'proxy',
        idempotencyKey: 'cap-1',
      });
      expect(again.map((m) => m.id)).toEqual(first.map((m) => m.id));
      expect((await backend.list({ userId: 'alice' })).items).toHaveLength(first.length);
    });

    it('exports oldest first across batches', async () => {
      for (let i = 0; i < 5; i++) {
        await backend.add({
          userId: 'alice',
          text: `export item ${i}`,
          source: 'import',
          createdAt: new Date(Date.UTC(2025, 5, 1 + i)).toISOString(),
        });
      }
      const all = await collect(backend.export({ userId: 'alice' }));
      expect(all.map((m) => m.text)).toEqual([0, 1, 2, 3, 4].map((i) => `export item ${i}`));
    });
  });
}
