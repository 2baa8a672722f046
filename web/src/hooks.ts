import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from './api.ts';

export interface Loaded<T> {
  data: T | null;
  error: Error | null;
  loading: boolean;
  reload: () => void;
}

/**
 * Loads `path` (null: nothing) and reloads when it changes. With `pollMs`, reloads in the background
 * while `poll(data)` says so (a computation running, a store still loading).
 */
export function useApi<T>(
  path: string | null,
  options: { pollMs?: number; poll?: (data: T) => boolean } = {},
): Loaded<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [loading, setLoading] = useState(path !== null);
  const [tick, setTick] = useState(0);
  const pollRef = useRef(options.poll);
  pollRef.current = options.poll;
  const reload = useCallback(() => setTick((t) => t + 1), []);

  // biome-ignore lint/correctness/useExhaustiveDependencies: tick is the reload trigger
  useEffect(() => {
    if (path === null) return;
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    setLoading(true);
    api<T>(path)
      .then((d) => {
        if (!live) return;
        setData(d);
        setError(null);
        if (options.pollMs && pollRef.current?.(d))
          timer = setTimeout(() => setTick((t) => t + 1), options.pollMs);
      })
      .catch((e: Error) => live && setError(e))
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
      if (timer) clearTimeout(timer);
    };
  }, [path, tick, options.pollMs]);

  return { data, error, loading, reload };
}

/** Sets the document title for a page. */
export function useTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · Comeback`;
  }, [title]);
}
