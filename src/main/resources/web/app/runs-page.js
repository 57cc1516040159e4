// The runs page: newest first, filter by state, refreshed every few seconds.
import { json, me } from './api.js';
import { element, formatDuration, formatTime, formatUsage } from './dom.js';
import { progressBar } from './progress.js';

const PAGE_SIZE = 25;
const REFRESH_MS = 3000;

export async function startRunsPage() {
  const who = await me();
  // Admins see every tenant's runs; with auth off every run is the default tenant's.
  const showTenant = who.role === 'admin' && who.via !== 'none';
  const params = new URLSearchParams(location.search);
  const view = { state: params.get('state') || '', page: Number(params.get('page') || 0) };
  const filter = document.getElementById('state-filter');
  filter.value = view.state;
  filter.addEventListener('change', () => {
    view.state = filter.value;
    view.page = 0;
    refresh(view, showTenant);
  });
  document.getElementById('newer').addEventListener('click', () => {
    view.page = Math.max(0, view.page - 1);
    refresh(view, showTenant);
  });
  document.getElementById('older').addEventListener('click', () => {
    view.page += 1;
    refresh(view, showTenant);
  });
  refresh(view, showTenant);
  setInterval(() => {
    if (!document.hidden) {
      refresh(view, showTenant, true);
    }
  }, REFRESH_MS);
}

async function refresh(view, showTenant, quiet = false) {
  const status = document.getElementById('runs-status');
  const query = new URLSearchParams({ page: view.page, size: PAGE_SIZE });
  if (view.state) {
    query.set('state', view.state);
  }
  const shown = new URLSearchParams();
  if (view.state) shown.set('state', view.state);
  if (view.page) shown.set('page', view.page);
  history.replaceState(null, '', shown.toString() ? `/?${shown}` : '/');
  try {
    const runs = await json(`/api/runs?${query}`);
    render(runs, showTenant);
    document.getElementById('newer').disabled = view.page === 0;
    document.getElementById('older').disabled = runs.length < PAGE_SIZE;
    status.textContent = quiet ? '' : `${runs.length} run(s)`;
  } catch (error) {
    status.textContent = `Could not load runs: ${error.message}`;
  }
}

function render(runs, showTenant) {
  document.querySelectorAll('.tenant-column').forEach((th) => { th.hidden = !showTenant; });
  document.getElementById('runs-empty').hidden = runs.length > 0;
  document.getElementById('runs-body').replaceChildren(...runs.map((run) => {
    const done = run.task_count - (run.counts.waiting + run.counts.ready + run.counts.running);
    return element('tr', { 'data-run-id': run.id, 'data-state': run.state },
      element('td', {}, element('a', { href: `/runs/${run.id}` }, element('code', {}, run.id.slice(0, 8)))),
      element('td', {}, element('span', { class: `badge run-${run.state}` }, run.state)),
      element('td', { class: 'progress-cell' }, progressBar(run.counts, run.task_count),
        element('span', { class: 'muted' }, ` ${done}/${run.task_count}`)),
      element('td', {}, formatTime(run.created_at)),
      element('td', {}, formatTime(run.finished_at)),
      element('td', {}, formatDuration(run.created_at, run.finished_at)),
      element('td', {}, formatUsage(run.usage)),
      showTenant ? element('td', {}, run.tenant || '') : '');
  }));
}
