// The details panel for one project: inputs with where they came from, output, attempts, and
// for a BLOCKED project the chain up to the failed ancestor.
import { json, post, runPath } from './api.js';
import { element, formatDuration, formatTime } from './dom.js';

export async function showDetails(panel, runId, model, name, { mayAct, onSelect, onRerun }) {
  panel.replaceChildren(element('p', { class: 'muted' }, `Loading ${name}…`));
  let task;
  try {
    task = await json(runPath(runId, 'tasks', name));
  } catch (error) {
    panel.replaceChildren(element('p', { class: 'error', role: 'alert' }, `Could not load ${name}: ${error.message}`));
    return;
  }
  const waits = task.state === 'WAITING' ? model.waitsFor(name) : [];
  const blockedPath = task.state === 'BLOCKED' ? model.pathToFailure(name) : [];
  const rerunError = element('p', { class: 'error', role: 'alert', id: 'rerun-from-error', hidden: true });
  const rerun = element('button', { type: 'button', id: 'rerun-from' }, 'Rerun from this project');
  rerun.disabled = !model.run || model.run.state === 'RUNNING';
  rerun.title = rerun.disabled ? 'Possible once the run has ended' : 'Re-executes this project and everything downstream';
  rerun.addEventListener('click', async () => {
    rerun.disabled = true;
    rerunError.hidden = true;
    try {
      onRerun(await post(runPath(runId, 'tasks', name, 'rerun')));
    } catch (error) {
      rerunError.textContent = `Rerun refused: ${error.message}`;
      rerunError.hidden = false;
      rerun.disabled = false;
    }
  });

  panel.replaceChildren(
    element('h2', { id: 'details-name' }, task.name),
    element('p', {}, element('span', { class: `badge state-${task.state}`, id: 'details-state' }, task.state),
      ` layer ${task.layer}, priority ${task.priority}`),
    waits.length ? element('p', { class: 'waits' }, 'Waits for: ', linkList(waits, onSelect)) : '',
    blockedPath.length ? element('p', { class: 'blocked-path' }, 'Blocked by: ',
      linkList(blockedPath, onSelect, ' → ')) : '',
    task.error ? element('p', { class: 'error' }, `Error: ${task.error}`) : '',
    element('p', { class: 'muted' }, times(task)),
    mayAct ? element('div', { class: 'actions' }, rerun) : '', rerunError,
    mayAct && task.state === 'AWAITING_REVIEW' ? reviewForm(runId, task, onRerun) : '',
    element('h3', {}, `Inputs (${task.inputs.length})`),
    task.inputs.length ? inputsList(task.inputs, onSelect) : element('p', { class: 'muted' }, 'None: a root project.'),
    element('h3', {}, 'Output'),
    task.output !== undefined && task.output !== null
      ? element('pre', { class: 'json', tabindex: '0', id: 'details-output' }, JSON.stringify(task.output, null, 2))
      : element('p', { class: 'muted' }, 'No output yet.'),
    element('h3', {}, `Attempts (${task.attempts.length})`),
    task.attempts.length ? attemptsTable(task.attempts) : element('p', { class: 'muted' }, 'Not started yet.'),
  );
}

/**
 * Approve, edit (the edited output replaces it, then approved), reject (the task runs again with
 * the comment) or fail an output that tripped its review gate.
 */
function reviewForm(runId, task, onDecided) {
  const reason = task.attempts.length ? task.attempts[task.attempts.length - 1].review?.reason : '';
  const comment = element('textarea', { id: 'review-comment', rows: '2', 'aria-label': 'Review comment' });
  const edited = element('textarea', { id: 'review-output', rows: '8', class: 'json', spellcheck: 'false',
    'aria-label': 'Edited output (JSON)' });
  edited.value = JSON.stringify(task.output ?? {}, null, 2);
  const error = element('p', { class: 'error', role: 'alert', hidden: true });
  const labels = { approve: 'Approve', edit: 'Approve edited output', reject: 'Reject', fail: 'Fail' };
  const buttons = Object.keys(labels).map((decision) => {
    const button = element('button', { type: 'button', id: `review-${decision}` }, labels[decision]);
    button.addEventListener('click', async () => {
      error.hidden = true;
      const body = { decision };
      if (comment.value.trim()) body.comment = comment.value.trim();
      if (decision === 'edit') {
        try {
          body.output = JSON.parse(edited.value);
        } catch (failure) {
          error.textContent = `The edited output is not JSON: ${failure.message}`;
          error.hidden = false;
          return;
        }
      }
      buttons.forEach((b) => { b.disabled = true; });
      try {
        await post(runPath(runId, 'tasks', task.name, 'review'), body);
        onDecided(await json(runPath(runId)));
      } catch (failure) {
        error.textContent = `Decision refused: ${failure.message}`;
        error.hidden = false;
        buttons.forEach((b) => { b.disabled = false; });
      }
    });
    return button;
  });
  const [approve, edit, reject, fail] = buttons;
  return element('section', { class: 'review', id: 'review' },
    element('h3', {}, 'Review'),
    element('p', { class: 'muted' }, reason || 'This output awaits review.'),
    element('label', { for: 'review-comment' }, 'Comment (a reject passes it to the next attempt)'),
    comment, element('div', { class: 'actions' }, approve, reject, fail),
    element('details', { id: 'review-edit-section' }, element('summary', {}, 'Edit the output'),
      element('label', { for: 'review-output' }, 'Output (JSON; checked against the output_schema, if any)'),
      edited, element('div', { class: 'actions' }, edit)),
    error);
}

function times(task) {
  const parts = [];
  if (task.ready_at) parts.push(`ready ${formatTime(task.ready_at)}`);
  if (task.started_at) parts.push(`started ${formatTime(task.started_at)}`);
  if (task.finished_at) parts.push(`finished ${formatTime(task.finished_at)} (${formatDuration(task.started_at, task.finished_at)})`);
  return parts.join(', ');
}

function linkList(names, onSelect, separator = ', ') {
  const items = [];
  names.forEach((n, i) => {
    if (i) items.push(separator);
    const button = element('button', { type: 'button', class: 'link' }, n);
    button.addEventListener('click', () => onSelect(n));
    items.push(button);
  });
  return element('span', {}, ...items);
}

function inputsList(inputs, onSelect) {
  return element('ul', { class: 'inputs', id: 'details-inputs' }, ...inputs.map((input) => {
    const from = element('button', { type: 'button', class: 'link' }, input.from_project);
    from.addEventListener('click', () => onSelect(input.from_project));
    const output = input.output !== undefined && input.output !== null
      ? element('details', {}, element('summary', {}, 'output'),
        element('pre', { class: 'json' }, JSON.stringify(input.output, null, 2)))
      : '';
    return element('li', { 'data-input-from': input.from_project, 'data-relation': input.relation },
      from, ` — ${input.relation === 'parent' ? 'parent' : `data flow “${input.data_type}”`}`,
      input.required ? '' : ' (optional)', ' ',
      element('span', { class: `badge state-${input.state}` }, input.state),
      input.error ? element('span', { class: 'error' }, ` ${input.error}`) : '', output);
  }));
}

function attemptsTable(attempts) {
  return element('table', { class: 'attempts' },
    element('thead', {}, element('tr', {}, ...['#', 'Outcome', 'Worker', 'Started', 'Took', 'Usage', 'Error']
      .map((h) => element('th', { scope: 'col' }, h)))),
    element('tbody', {}, ...attempts.map((a) => element('tr', {},
      element('td', {}, a.attempt),
      element('td', {}, a.outcome ? element('span', { class: `badge outcome-${a.outcome}` }, a.outcome) : 'running',
        a.review ? ` review: ${a.review.decision || 'awaiting'}${a.review.reviewed_by ? ` by ${a.review.reviewed_by}` : ''}`
          + `${a.review.comment ? ` (“${a.review.comment}”)` : ''}` : ''),
      element('td', {}, a.worker_id || ''),
      element('td', {}, formatTime(a.started_at)),
      element('td', {}, a.finished_at ? formatDuration(a.started_at, a.finished_at) : ''),
      element('td', {}, usage(a)),
      element('td', { class: 'error' }, a.error || '')))));
}

function usage(a) {
  const parts = [];
  if (a.cached) parts.push('cached');
  if (a.model) parts.push(a.model);
  if (a.input_tokens !== undefined) parts.push(`${a.input_tokens} in / ${a.output_tokens} out`);
  if (a.latency_ms !== undefined) parts.push(`${a.latency_ms} ms`);
  if (a.cost_usd !== undefined) parts.push(`$${Number(a.cost_usd).toFixed(4)}`);
  return parts.join(', ');
}
