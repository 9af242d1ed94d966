// Loads something from the UI API with loading / error / value states and a reload. The state
// remembers which request it answers, so "loading" is derived during render, never set in an effect.
import { useCallback, useEffect, useRef, useState } from 'react';

export type Loaded<T> =
  | { state: 'loading'; value: T | null }
  | { state: 'error'; error: string; value: T | null }
  | { state: 'ready'; value: T };

type Settled<T> = { request: object; value: T | null; error: string | null };

export function useLoad<T>(
  load: () => Promise<T>,
  deps: readonly unknown[],
): [Loaded<T>, () => void, (v: T) => void] {
  const [tick, setTick] = useState(0);
  // A new request identity for every new set of inputs (or reload), kept in state and adjusted
  // during render (React's pattern for "state derived from changed props").
  const [req, setReq] = useState(() => ({ deps, tick, id: {} }));
  let request = req.id;
  if (req.tick !== tick || !sameDeps(req.deps, deps)) {
    const next = { deps, tick, id: {} };
    setReq(next);
    request = next.id;
  }
  const [settled, setSettled] = useState<Settled<T> | null>(null);
  const loader = useRef(load);
  useEffect(() => {
    loader.current = load;
  });
  useEffect(() => {
    let live = true;
    loader.current().then(
      (value) => {
        if (live) setSettled({ request, value, error: null });
      },
      (err: unknown) => {
        if (live) setSettled((prev) => ({ request, value: prev?.value ?? null, error: errorMessage(err) }));
      },
    );
    return () => {
      live = false;
    };
  }, [request]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  const set = useCallback((value: T) => setSettled({ request, value, error: null }), [request]);
  let loaded: Loaded<T>;
  if (settled === null) loaded = { state: 'loading', value: null };
  else if (settled.request !== request) loaded = { state: 'loading', value: settled.value };
  else if (settled.error !== null) loaded = { state: 'error', error: settled.error, value: settled.value };
  else loaded = { state: 'ready', value: settled.value as T };
  return [loaded, reload, set];
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function sameDeps(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
}
