// The submit page: a lattice pasted or uploaded, requirements and options; the API's
// field-named errors and warnings are shown next to the input they name.
import { ApiError, mayAct, me, post } from './api.js';
import { element } from './dom.js';

const FIELDS = ['lattice', 'requirements', 'processor', 'context', 'prompt-system', 'prompt-user', 'extra'];

export async function startSubmitPage() {
  const form = document.getElementById('submit-form');
  const who = await me();
  if (!mayAct(who)) {
    document.getElementById('read-only').hidden = false;
    document.getElementById('submit-button').disabled = true;
  }
  document.getElementById('lattice-file').addEventListener('change', async (event) => {
    const file = event.target.files[0];
    if (file) {
      document.getElementById('lattice').value = await file.text();
    }
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearMessages();
    const body = buildBody();
    if (!body) {
      return;
    }
    const button = document.getElementById('submit-button');
    button.disabled = true;
    try {
      // One key per press: a retried or doubled request cannot create a second run.
      const run = await post('/api/runs', body, { 'Idempotency-Key': crypto.randomUUID() });
      const warnings = Array.isArray(run.warnings) ? run.warnings : [];
      if (warnings.length === 0) {
        location.assign(`/runs/${run.id}`);
        return;
      }
      warnings.forEach((w) => show(fieldOf(w.field), w.field, w.reason || w.message || String(w), 'warning'));
      show('form', null, element('span', {}, 'Run created with warnings: ',
        element('a', { href: `/runs/${run.id}` }, 'open the run')), 'warning');
    } catch (error) {
      if (error instanceof ApiError && error.fieldErrors.length) {
        error.fieldErrors.forEach((e) => show(fieldOf(e.field), e.field, e.reason, 'error'));
      } else {
        show('form', null, `Submission failed: ${error.message}`, 'error');
      }
    } finally {
      button.disabled = false;
    }
  });
}

function buildBody() {
  const text = document.getElementById('lattice').value.trim();
  let doc;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    show('lattice', null, text ? `not valid JSON: ${error.message}` : 'paste or upload a lattice', 'error');
    return null;
  }
  const extra = jsonField('extra');
  const context = jsonField('context');
  if (extra === undefined || context === undefined) {
    return null;
  }
  // Either a whole submission (with "lattice") or just the lattice itself.
  const body = doc && typeof doc === 'object' && 'lattice' in doc ? { ...doc } : { lattice: doc };
  const requirements = document.getElementById('requirements').value.trim();
  if (requirements) {
    body.requirements = requirements;
  }
  const processor = document.getElementById('processor').value;
  if (processor) {
    body.processor = processor;
  }
  if (context !== null) {
    body.context = context;
  }
  const prompts = {};
  for (const part of ['system', 'user']) {
    const template = document.getElementById(`prompt-${part}`).value;
    if (template.trim()) {
      prompts[part] = template;
    }
  }
  if (Object.keys(prompts).length) {
    body.prompts = { ...(body.prompts || {}), ...prompts };
  }
  return { ...body, ...(extra || {}) };
}

/** The field's JSON: null when empty, undefined (and an error shown) when it does not parse. */
function jsonField(id) {
  const text = document.getElementById(id).value.trim();
  if (!text) {
    return null;
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    show(id, null, `not valid JSON: ${error.message}`, 'error');
    return undefined;
  }
}

/** The input an API field name belongs to ("lattice.projects[2].name" -> lattice, "prompts.user" -> prompt-user). */
function fieldOf(field) {
  const name = String(field || '');
  const prompt = /^prompts\.(system|user)\b/.exec(name);
  if (prompt) {
    return `prompt-${prompt[1]}`;
  }
  const head = name.split(/[.[]/)[0];
  if (FIELDS.includes(head)) {
    return head;
  }
  return head ? 'extra' : 'form';
}

function show(input, field, message, kind) {
  const list = document.getElementById(`${input}-messages`);
  list.append(element('li', { class: kind, 'data-field': field || undefined },
    field ? element('code', {}, field) : '', field ? ': ' : '', message));
  if (input !== 'form' && kind === 'error') {
    document.getElementById(input).setAttribute('aria-invalid', 'true');
  }
}

function clearMessages() {
  for (const input of [...FIELDS, 'form']) {
    document.getElementById(`${input}-messages`).replaceChildren();
    document.getElementById(input)?.removeAttribute('aria-invalid');
  }
}
