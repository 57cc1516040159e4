// Every call to the service goes through here: it adds the caller's credential, asks for one
// once when the service answers 401, and turns problem+json answers into ApiError.
import { askCredential, credentialHeaders, forgetCredential } from './credential.js';

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }

  /** The problem's field-named errors, [{field, reason}], or []. */
  get fieldErrors() {
    return Array.isArray(this.problem.errors) ? this.problem.errors : [];
  }
}

/** fetch() with the credential; on 401 asks for one (once for all concurrent calls) and retries. */
export async function send(path, options = {}) {
  for (let tries = 0; ; tries++) {
    const response = await fetch(path, {
      ...options,
      headers: { Accept: 'application/json', ...credentialHeaders(), ...(options.headers || {}) },
    });
    if (response.status !== 401 || tries >= 3) {
      return response;
    }
    if (tries > 0) {
      forgetCredential();
    }
    await askCredential(tries > 0 ? 'That key or token was not accepted.' : '');
  }
}

/** The response body as JSON, or an ApiError for any non-2xx answer. */
export async function json(path, options = {}) {
  const response = await send(path, options);
  const text = await response.text();
  let body = {};
  try {
    body = text ? JSON.parse(text) : {};
  } catch {
    body = { detail: text };
  }
  if (!response.ok) {
    throw new ApiError(response.status, body);
  }
  return body;
}

export function post(path, body, headers = {}) {
  return json(path, {
    method: 'POST',
    headers: body === undefined ? headers : { 'Content-Type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

export function runPath(runId, ...rest) {
  return ['/api/runs', encodeURIComponent(runId), ...rest.map(encodeURIComponent)].join('/');
}

let caller = null;

/**
 * Who the caller is ({id, role, tenant, via}, from GET /api/me), asked once per page. Asking
 * first also means a page that needs credentials asks for them before anything else.
 */
export function me() {
  if (!caller) {
    caller = json('/api/me').catch(() => ({ role: 'viewer', via: 'unknown' }));
  }
  return caller;
}

/** Viewers only read; operators and admins submit, cancel and rerun. */
export function mayAct(who) {
  return who.role === 'operator' || who.role === 'admin';
}
