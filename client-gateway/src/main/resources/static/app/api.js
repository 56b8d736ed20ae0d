import { currentKey } from './key-store.js';

/** A failed call: the HTTP status and the problem's detail (RFC 7807), or what went wrong on the way. */
export class ApiError extends Error {
  constructor(status, detail, problem) {
    super(detail);
    this.status = status;
    this.detail = detail;
    this.problem = problem;
  }
}

const unauthorizedListeners = new Set();

/** Called with the ApiError of every 401, so that one place can ask for a key. */
export function onUnauthorized(listener) {
  unauthorizedListeners.add(listener);
}

export function authHeaders(extra = {}) {
  const key = currentKey();
  return key ? { ...extra, Authorization: `Bearer ${key}` } : { ...extra };
}

async function problemOf(response) {
  const text = await response.text().catch(() => '');
  try {
    const problem = JSON.parse(text);
    const detail = problem.detail || problem.title || `${response.status} ${response.statusText}`;
    return new ApiError(response.status, detail, problem);
  } catch {
    return new ApiError(response.status, text.trim() || `${response.status} ${response.statusText}`, null);
  }
}

/** Throws an ApiError for any non-2xx answer; reports 401s to the listeners unless {@code quiet}. */
export async function request(method, path, { body, quiet = false } = {}) {
  const headers = authHeaders({ Accept: 'application/json' });
  const init = { method, headers, cache: 'no-store' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (e) {
    throw new ApiError(0, `The gateway cannot be reached (${e.message}).`, null);
  }
  if (!response.ok) {
    const error = await problemOf(response);
    if (error.status === 401 && !quiet) {
      unauthorizedListeners.forEach((listener) => listener(error));
    }
    throw error;
  }
  return response.status === 204 ? null : response.json();
}

export const api = {
  cluster: () => request('GET', '/cluster'),
  history: () => request('GET', '/cluster/history'),
  tasks: ({ limit = 500, cursor, state } = {}) => {
    const query = new URLSearchParams({ limit: String(limit) });
    if (cursor) query.set('cursor', cursor);
    if (state) query.set('state', state);
    return request('GET', `/tasks?${query}`);
  },
  task: (id) => request('GET', `/tasks/${encodeURIComponent(id)}`),
  submit: (body) => request('POST', '/tasks', { body }),
  cancel: (id) => request('DELETE', `/tasks/${encodeURIComponent(id)}`),
  /** Whether a key opens the API at all: GET /tasks answers every role. */
  probe: () => request('GET', '/tasks?limit=1', { quiet: true }),
};
