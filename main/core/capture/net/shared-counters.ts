// Counters that one thread writes and another reads at any moment without asking: each name is a
// property backed by a slot of a SharedArrayBuffer. The network thread counts into them
// (`stats.requests++` works as on a plain object); the core reads them for its status synchronously.
// One writer per buffer, so plain reads and writes suffice (no Atomics): JavaScript does not promise
// that a reader never sees a torn Float64, but V8 on 64-bit machines reads and writes them whole, and
// a status figure is all that depends on it.

export type Counters<K extends string> = Record<K, number>;

export interface SharedCounters<K extends string> {
  counters: Counters<K>;
  buffer: SharedArrayBuffer;
}

/** Counters over `buffer` (a new zeroed one when omitted); the same names give the same layout. */
export function sharedCounters<K extends string>(
  names: readonly K[],
  buffer: SharedArrayBuffer = new SharedArrayBuffer(names.length * Float64Array.BYTES_PER_ELEMENT),
): SharedCounters<K> {
  if (buffer.byteLength !== names.length * Float64Array.BYTES_PER_ELEMENT)
    throw new RangeError(
      `counter buffer holds ${buffer.byteLength} bytes, ${names.length} counters need more`,
    );
  // Float64: byte counts outgrow 32 bits; integers stay exact up to 2^53.
  const slots = new Float64Array(buffer);
  const counters = {} as Counters<K>;
  names.forEach((name, i) => {
    Object.defineProperty(counters, name, {
      enumerable: true,
      get: () => slots[i]!,
      set: (value: number) => {
        slots[i] = value;
      },
    });
  });
  return { counters, buffer };
}

/** Plain (unshared) counters, all zero: for code that runs in one thread. */
export function zeroCounters<K extends string>(names: readonly K[]): Counters<K> {
  return Object.fromEntries(names.map((name) => [name, 0])) as Counters<K>;
}
