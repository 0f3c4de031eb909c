// The session and every call to the public APIs, always with the user's own token.
//
// Why this shape:
// - the access token lives in memory only (gone with the page); the refresh token lives in
//   sessionStorage (gone with the tab), so reloading a page does not log the user out while
//   closing the tab does;
// - the access token is refreshed in the background shortly before it expires; refresh
//   tokens rotate and replaying a used one revokes the whole sign-in, so there is only ever
//   ONE refresh in flight (every caller waits for the same promise);
// - logout revokes the refresh token at auth (RFC 7009), then forgets everything.

const REFRESH_KEY = 'hr.console.refresh';
const EARLY = 30; // seconds before expiry

const session = { access: null, claims: null, timer: null, inflight: null };
const listeners = new Set();

export class ApiError extends Error {
  constructor(status, body) {
    const detail = body && (body.detail || body.error_description || body.title || body.error);
    super(detail || `HTTP ${status}`);
    this.status = status;
    this.body = body || {};
    this.errors = (body && body.errors) || {};
  }
}

export function onSessionChange(fn) { listeners.add(fn); }
function changed() { for (const fn of listeners) fn(session.claims); }

function decodeClaims(token) {
  const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
  const bytes = Uint8Array.from(atob(part.padEnd(part.length + ((4 - (part.length % 4)) % 4), '=')),
    (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes));
}

async function tokenCall(body) {
  const resp = await fetch('/auth/token', {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body), credentials: 'omit', cache: 'no-store',
  });
  const data = await resp.json().catch(() => ({}));
  if (!resp.ok) throw new ApiError(resp.status, data);
  return data;
}

function adopt(data) {
  session.access = data.access_token;
  session.claims = decodeClaims(data.access_token);
  sessionStorage.setItem(REFRESH_KEY, data.refresh_token);
  clearTimeout(session.timer);
  const seconds = Math.max(5, (data.expires_in || 300) - EARLY);
  session.timer = setTimeout(() => { refresh().catch(() => forget()); }, seconds * 1000);
  changed();
}

function forget() {
  clearTimeout(session.timer);
  session.access = null;
  session.claims = null;
  sessionStorage.removeItem(REFRESH_KEY);
  changed();
}

export async function login(username, password) {
  adopt(await tokenCall({ grant_type: 'password', username, password }));
}

export function refresh() {
  if (!session.inflight) {
    const token = sessionStorage.getItem(REFRESH_KEY);
    if (!token) return Promise.reject(new ApiError(401, { detail: 'Not signed in.' }));
    session.inflight = tokenCall({ grant_type: 'refresh_token', refresh_token: token })
      .then(adopt)
      .finally(() => { session.inflight = null; });
  }
  return session.inflight;
}

// After a reload: the tab still holds a refresh token → a new access token, no password.
export async function resume() {
  if (!sessionStorage.getItem(REFRESH_KEY)) return false;
  try {
    await refresh();
    return true;
  } catch {
    forget();
    return false;
  }
}

export async function logout() {
  const token = sessionStorage.getItem(REFRESH_KEY);
  const headers = { 'Content-Type': 'application/x-www-form-urlencoded' };
  if (session.access) headers.Authorization = `Bearer ${session.access}`;
  try {
    if (token) {
      await fetch('/auth/revoke', {
        method: 'POST', headers, body: new URLSearchParams({ token }).toString(),
        credentials: 'omit', cache: 'no-store',
      });
    }
  } finally {
    forget();
  }
}

export function claims() { return session.claims; }

// Does any of the user's roles carry `permission`? (The token names each role's permissions;
// the services decide for real — this only chooses which pages to offer.)
export function can(permission) {
  const roles = (session.claims && session.claims.roles) || [];
  return roles.some((r) => r.role === 'admin' || (r.permissions || []).includes(permission));
}

export function roleOrgs(...permissions) {
  const roles = (session.claims && session.claims.roles) || [];
  return [...new Set(roles.filter((r) => r.role === 'admin'
    || permissions.some((p) => (r.permissions || []).includes(p))).map((r) => r.org))];
}

export async function api(method, path, body, { headers = {}, as = 'json', retried = false, signal } = {}) {
  if (!session.access) await refresh();
  const init = { method, headers: { Accept: 'application/json', ...headers }, cache: 'no-store',
    credentials: 'omit', signal };
  init.headers.Authorization = `Bearer ${session.access}`;
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const resp = await fetch(path, init);
  if (resp.status === 401 && !retried) { // expired under us (a sleeping phone): once more
    await refresh();
    return api(method, path, body, { headers, as, retried: true, signal });
  }
  if (!resp.ok) {
    const data = await resp.json().catch(() => ({}));
    throw new ApiError(resp.status, data);
  }
  if (resp.status === 204) return null;
  return as === 'text' ? resp.text() : as === 'blob' ? resp.blob() : resp.json();
}

export const get = (path, opts) => api('GET', path, undefined, opts);
export const post = (path, body, opts) => api('POST', path, body, opts);

export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
}
