// fetch() for the heartwave API: JSON errors turned into messages, and the
// API key asked for (and sent as a Bearer token) when the server answers 401.

import { $ } from './dom';

const KEY_STORAGE = 'heartwave-api-key';
let apiKey: string | null = sessionStorage.getItem(KEY_STORAGE);

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

let pendingKey: Promise<string> | null = null;

/** Shows the key field and resolves with what the user enters (rejects on cancel); one prompt for all callers. */
function askForKey(message: string): Promise<string> {
  pendingKey ??= promptKey(message).finally(() => (pendingKey = null));
  return pendingKey;
}

function promptKey(message: string): Promise<string> {
  const bar = $('auth-bar');
  const input = $('api-key') as HTMLInputElement;
  const submit = $('api-key-submit') as HTMLButtonElement;
  const cancel = $('api-key-cancel') as HTMLButtonElement;
  $('auth-message').textContent = message;
  bar.hidden = false;
  input.focus();
  return new Promise((resolve, reject) => {
    const done = (ok: boolean) => {
      submit.onclick = cancel.onclick = input.onkeydown = null;
      bar.hidden = true;
      if (ok && input.value.trim()) resolve(input.value.trim());
      else reject(new ApiError(401, 'An API key is needed'));
    };
    submit.onclick = () => done(true);
    cancel.onclick = () => done(false);
    input.onkeydown = (e) => {
      if (e.key === 'Enter') done(true);
      if (e.key === 'Escape') done(false);
      e.stopPropagation();
    };
  });
}

async function errorMessage(res: Response): Promise<string> {
  const text = await res.text().catch(() => '');
  try {
    const body = JSON.parse(text) as { error?: { message?: string; type?: string } };
    if (body.error?.message) return `${res.status} ${body.error.type ?? ''}: ${body.error.message}`;
  } catch {
    /* not JSON */
  }
  return `${res.status} ${res.statusText}${text ? ': ' + text.slice(0, 300) : ''}`;
}

/** fetch() with the key; on 401 asks for a key and tries again. */
export async function apiFetch(path: string, init: RequestInit = {}): Promise<Response> {
  for (;;) {
    const headers = new Headers(init.headers);
    const used = apiKey;
    if (apiKey) headers.set('Authorization', `Bearer ${apiKey}`);
    const res = await fetch(path, { ...init, headers });
    if (res.status === 401) {
      if (apiKey !== used) continue; // another request got a new key meanwhile
      const why = apiKey ? 'The server refused this API key; enter another.' : 'This server needs an API key.';
      apiKey = await askForKey(why);
      sessionStorage.setItem(KEY_STORAGE, apiKey);
      continue;
    }
    if (!res.ok) throw new ApiError(res.status, await errorMessage(res));
    return res;
  }
}

export async function getJson<T>(path: string): Promise<T> {
  return (await (await apiFetch(path)).json()) as T;
}

export async function postJson<T>(path: string, body: unknown): Promise<T> {
  const res = await apiFetch(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  return (await res.json()) as T;
}

export async function postForBlob(path: string, body: unknown): Promise<Blob> {
  const res = await apiFetch(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  return await res.blob();
}
