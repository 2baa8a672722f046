/** The dashboard's calls to its same-origin JSON API (/app/api), with the session's CSRF token. */

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: Array<{ path: string; message: string }>;

  constructor(
    status: number,
    code: string,
    message: string,
    details: Array<{ path: string; message: string }>,
  ) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

let csrfToken = '';
let onSignedOut: () => void = () => {};

/** Called after sign-in and on every /me: state-changing calls carry this token. */
export function setCsrfToken(token: string): void {
  csrfToken = token;
}

/** What to do when the server says the session is gone (expired, signed out elsewhere). */
export function onSessionLost(handler: () => void): void {
  onSignedOut = handler;
}

export async function api<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const method = init.method ?? 'GET';
  const headers: Record<string, string> = { accept: 'application/json' };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET') headers['x-csrf-token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
  } catch {
    throw new ApiError(0, 'NETWORK', 'Comeback did not answer: is the server running?', []);
  }
  if (res.status === 204) return undefined as T;
  if (!res.ok) throw await errorOf(res, path);
  return (await res.json().catch(() => null)) as T;
}

/**
 * The error of a refused response (for callers that fetch themselves, e.g. to stream): the API's
 * error as an ApiError; a lost session (401) also signs the dashboard out.
 */
export async function errorOf(res: Response, path: string): Promise<ApiError> {
  const json = (await res.json().catch(() => null)) as {
    error?: { code: string; message: string; details?: Array<{ path: string; message: string }> };
  } | null;
  if (res.status === 401 && !path.endsWith('/login')) onSignedOut();
  return new ApiError(
    res.status,
    json?.error?.code ?? 'INTERNAL',
    json?.error?.message ?? `The server answered ${res.status}`,
    json?.error?.details ?? [],
  );
}
