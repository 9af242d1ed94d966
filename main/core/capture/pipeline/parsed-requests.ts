// Requests as parsed when they were accepted, by tap id, for their finished exchange (each request
// body parsed once). Bounded: an exchange that never arrives is forgotten with the oldest; a missing
// one is parsed again.
import type { ParsedRequest } from '../anthropic-types.js';

const MAX_KEPT = 4_096;

export class ParsedRequests {
  private readonly byTap = new Map<string, ParsedRequest>();

  keep(tapId: string | undefined, parsed: ParsedRequest): void {
    if (typeof tapId !== 'string') return;
    if (this.byTap.size >= MAX_KEPT) this.byTap.delete(this.byTap.keys().next().value!);
    this.byTap.set(tapId, parsed);
  }

  take(tapId: string | undefined): ParsedRequest | undefined {
    if (typeof tapId !== 'string') return undefined;
    const parsed = this.byTap.get(tapId);
    if (parsed) this.byTap.delete(tapId);
    return parsed;
  }
}
