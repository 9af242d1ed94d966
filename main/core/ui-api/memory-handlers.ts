// The Memories page's methods: list, search, read, change, delete, restore and export, all through
// MemoryService as the settings' user.
import { isExcerptOf, textExcerpt } from '../memory/excerpt.js';
import { EXPORT_MIME_TYPES, exportMemories } from '../memory/export.js';
import { invalid, type HandlerContext, type UiHandlers } from './host.js';
import { scopeOf, toHistoryDto, toMemoryDto } from './memory-dto.js';

export type MemoryHandlers = Pick<
  UiHandlers,
  | 'listMemories'
  | 'searchMemories'
  | 'listProjects'
  | 'getMemory'
  | 'memoryAccessLog'
  | 'updateMemory'
  | 'deleteMemory'
  | 'restoreMemory'
  | 'deleteMemories'
  | 'forgetAll'
  | 'exportMemories'
>;

export function memoryHandlers({ host, services, caller }: HandlerContext): MemoryHandlers {
  return {
    async listMemories(input) {
      const page = await host.memories.list(caller(), scopeOf(input), {
        offset: input.offset,
        limit: input.limit,
        withTotal: input.withTotal ?? false,
      });
      return { items: page.items.map(toMemoryDto), offset: input.offset, total: page.total ?? null };
    },
    async searchMemories(input) {
      const hits = await host.memories.search(caller(), input.query, scopeOf(input), {
        limit: input.limit ?? 100,
        prefix: true,
        preview: input.preview ?? false,
      });
      return {
        hits: hits.map((h) => ({
          memory: toMemoryDto(h.memory),
          // A backend's excerpt from another row must never be shown under this memory.
          snippet: isExcerptOf(h.snippet, h.memory.text)
            ? h.snippet
            : textExcerpt(h.memory.text, input.query),
          score: h.score,
        })),
      };
    },
    async listProjects() {
      return { projects: await host.memories.projects(caller()) };
    },
    async getMemory({ id }) {
      const memory = await host.memories.get(caller(), id);
      const history = await host.memories.history(caller(), id);
      return { memory: toMemoryDto(memory), history: history.map(toHistoryDto) };
    },
    async memoryAccessLog({ id }) {
      return services.accessLog(host.settings().userId, id);
    },
    async updateMemory({ id, text }) {
      return toMemoryDto(await host.memories.update(caller(), id, { text }));
    },
    async deleteMemory({ id }) {
      const who = caller();
      const memory = await host.memories.get(who, id);
      await host.memories.delete(who, id);
      return { deleted: toMemoryDto(memory) };
    },
    async restoreMemory(input) {
      const added = await host.memories.restore(caller(), input);
      const first = added[0];
      if (!first) throw invalid('The memory could not be restored: the backend kept nothing.');
      return toMemoryDto(first);
    },
    async deleteMemories({ ids, confirmCount }) {
      const unique = [...new Set(ids)];
      if (unique.length !== confirmCount) {
        throw invalid(
          `You confirmed ${confirmCount} but ${unique.length} ${unique.length === 1 ? 'memory is' : 'memories are'} selected: nothing was deleted.`,
        );
      }
      const r = await host.memories.deleteMany(caller(), unique);
      return { deleted: r.deleted.length, missing: r.missing.length, denied: r.denied.length };
    },
    async forgetAll({ confirm }) {
      const userId = host.settings().userId;
      if (confirm !== userId) {
        throw invalid(
          `Type the user id "${userId}" exactly to delete all of its memories: nothing was deleted.`,
        );
      }
      return { deleted: await host.memories.forget(caller()) };
    },
    async exportMemories(input) {
      // One string, not a stream: an IPC call (and the headless route that mirrors it) answers with
      // one value, which the page saves as a file.
      const stream = exportMemories(host.memories, caller(), scopeOf(input), input.format);
      let content = '';
      for await (const chunk of stream) content += chunk;
      const day = new Date().toISOString().slice(0, 10);
      return {
        filename: `mem0-tray-memories-${day}.${input.format}`,
        mimeType: EXPORT_MIME_TYPES[input.format],
        content,
        count: stream.count,
      };
    },
  };
}
