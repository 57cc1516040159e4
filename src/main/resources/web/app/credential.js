// The caller's API key or token, kept for this browser tab's session only (sessionStorage).
// A key goes as X-API-Key, a token (a JWT) as Authorization: Bearer.
import { element } from './dom.js';

const STORAGE_KEY = 'lattice.credential';
let pending = null;

function stored() {
  try {
    return JSON.parse(sessionStorage.getItem(STORAGE_KEY) || 'null');
  } catch {
    return null;
  }
}

export function credentialHeaders() {
  const credential = stored();
  if (!credential || !credential.value) {
    return {};
  }
  return credential.kind === 'token'
    ? { Authorization: `Bearer ${credential.value}` }
    : { 'X-API-Key': credential.value };
}

export function forgetCredential() {
  sessionStorage.removeItem(STORAGE_KEY);
}

/** Shows the credential dialog; concurrent callers share one dialog. Resolves once one is stored. */
export function askCredential(message) {
  if (!pending) {
    pending = showDialog(message).finally(() => {
      pending = null;
    });
  }
  return pending;
}

function showDialog(message) {
  const dialog = document.getElementById('credential-dialog');
  const value = element('input', { id: 'credential-value', type: 'password', autocomplete: 'off', required: '' });
  const kind = element('select', { id: 'credential-kind' },
    element('option', { value: 'key' }, 'API key (X-API-Key)'),
    element('option', { value: 'token' }, 'Token (Authorization: Bearer)'));
  const form = element('form', { method: 'dialog', class: 'credential-form' },
    element('h2', {}, 'Sign in'),
    element('p', {}, 'The service asks for credentials. They are kept for this browser tab only.'),
    message ? element('p', { class: 'error', role: 'alert' }, message) : '',
    element('label', { for: 'credential-kind' }, 'Kind'), kind,
    element('label', { for: 'credential-value' }, 'Key or token'), value,
    element('button', { type: 'submit' }, 'Continue'));
  dialog.replaceChildren(form);
  return new Promise((resolve) => {
    form.addEventListener('submit', (event) => {
      if (!value.value.trim()) {
        event.preventDefault();
        return;
      }
      sessionStorage.setItem(STORAGE_KEY, JSON.stringify({ kind: kind.value, value: value.value.trim() }));
      resolve();
    });
    // Escape closes a modal dialog without submitting: ask again rather than hang the page.
    dialog.addEventListener('cancel', (event) => event.preventDefault());
    dialog.showModal();
    value.focus();
  });
}
