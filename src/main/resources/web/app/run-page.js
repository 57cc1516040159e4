// The run page: the laid-out graph, the project list, legend and progress, kept live from the
// run's event stream; details on click; cancel and rerun.
import { json, mayAct, me, post, runPath } from './api.js';
import { element, formatDuration, formatTime, formatUsage } from './dom.js';
import { drawGraph, fitAll, focusOnActive, highlight } from './graph.js';
import { progressBar } from './progress.js';
import { RunModel } from './run-model.js';
import { followRun } from './run-stream.js';
import { showDetails } from './details.js';
import { FINAL_RUN_STATES, TASK_STATES } from './states.js';

const FOCUS_ABOVE = 1000;

export async function startRunPage() {
  const runId = decodeURIComponent(location.pathname.split('/')[2] || '');
  document.getElementById('run-id').textContent = runId;
  document.title = `Run ${runId.slice(0, 8)} · Lattice Engine`;
  const page = new RunPage(runId);
  window.lattice = page; // for scripts, benchmarks and browser tests: the page's model and graph
  try {
    await page.load();
  } catch (error) {
    page.showError(`Could not load the run: ${error.message}`);
  }
}

class RunPage {
  constructor(runId) {
    this.runId = runId;
    this.pending = new Map();
    this.flushScheduled = false;
    this.selected = null;
  }

  async load() {
    this.who = await me();
    const [layout, run] = await Promise.all([json(runPath(this.runId, 'graph')), json(runPath(this.runId))]);
    this.model = new RunModel(layout);
    for (const task of run.tasks) {
      this.model.setState(task.name, task.state);
    }
    this.model.run = run;
    const states = new Map(run.tasks.map((t) => [t.name, t.state]));
    this.cy = drawGraph(document.getElementById('graph'), layout, states, (name) => this.select(name));
    this.buildList();
    this.wireControls();
    this.renderRun();
    this.renderStates(this.model.names);
    if (layout.nodes.length > FOCUS_ABOVE) {
      focusOnActive(this.cy);
    } else {
      fitAll(this.cy);
    }
    document.body.dataset.ready = 'true';
    performance.mark('lattice-ready'); // page load as docs/BENCHMARKS.md measures it
    this.follow();
  }

  follow() {
    if (this.follower && !this.follower.done) {
      return;
    }
    // After a rerun, carry on after the last event seen rather than replay the run's history.
    this.follower = followRun(this.runId, {
      onEvent: (event) => this.onEvent(event),
      onStatus: (text) => { document.getElementById('live-status').textContent = text; },
      isFinal: () => FINAL_RUN_STATES.includes(this.model.run.state),
      poll: () => this.reloadRun(),
    }, this.follower ? this.follower.lastEventId : null);
  }

  onEvent({ type, data }) {
    if (type === 'task') {
      this.queue(data.task_name, data.state);
    } else if (type === 'run') {
      this.model.run = { ...this.model.run, state: data.state };
      this.renderRun();
      if (FINAL_RUN_STATES.includes(data.state)) {
        // The final view has finished_at and usage; the stream ends after this event.
        this.reloadRun().catch((error) => this.showError(error.message));
      }
    }
  }

  /** Applies many state changes at once: the graph, list and legend redraw once per frame. */
  applyStates(changes) {
    for (const [name, state] of Object.entries(changes)) {
      this.queue(name, state);
    }
    this.flush();
  }

  queue(name, state) {
    this.pending.set(name, state);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      requestAnimationFrame(() => this.flush());
      setTimeout(() => this.flush(), 250); // rAF does not run in background tabs
    }
  }

  flush() {
    this.flushScheduled = false;
    if (this.pending.size === 0) {
      return;
    }
    const changed = [];
    for (const [name, state] of this.pending) {
      if (this.model.setState(name, state)) {
        changed.push(name);
      }
    }
    this.pending.clear();
    if (changed.length) {
      this.renderStates(changed);
    }
  }

  async reloadRun() {
    const run = await json(runPath(this.runId));
    this.model.run = run;
    const changes = {};
    for (const task of run.tasks) {
      changes[task.name] = task.state;
    }
    this.applyStates(changes);
    this.renderRun();
  }

  /** Redraws the given projects (and the WAITING ones downstream of them) plus the summaries. */
  renderStates(names) {
    const touched = new Set(names);
    for (const name of names) {
      for (const down of this.model.projects.get(name).downstream) {
        touched.add(down);
      }
    }
    this.cy.batch(() => {
      for (const name of touched) {
        const state = this.model.state(name);
        const waits = state === 'WAITING' ? this.model.waitsFor(name) : [];
        // Only what changed: a new label costs Cytoscape a text measurement, a new text a layout.
        const node = this.cy.getElementById(name);
        const label = waits.length ? `${name}\n(waits for ${waits.length})` : name;
        if (node.data('state') !== state) node.data('state', state);
        if (node.data('label') !== label) node.data('label', label);
        const item = this.items.get(name);
        if (item.dataset.state !== state) {
          item.dataset.state = state;
          const badge = item.querySelector('.badge');
          badge.className = `badge state-${state}`;
          badge.textContent = state;
        }
        const waitText = waits.length ? `waits for ${waits.join(', ')}` : '';
        const waitsElement = item.querySelector('.waits');
        if (waitsElement.textContent !== waitText) waitsElement.textContent = waitText;
      }
    });
    const counts = this.model.counts();
    this.renderLegend(counts);
    progressBar(counts, this.model.names.length, document.getElementById('run-progress'));
    this.renderAttention();
    if (this.selected && touched.has(this.selected)) {
      this.refreshDetails();
    }
  }

  buildList() {
    this.items = new Map();
    const list = document.getElementById('project-list');
    const names = document.getElementById('project-names');
    list.replaceChildren(...this.model.names.map((name) => {
      const open = element('button', { type: 'button', class: 'link' }, name);
      open.addEventListener('click', () => this.select(name, true));
      const item = element('li', { 'data-project': name, 'data-state': 'WAITING' }, open, ' ',
        element('span', { class: 'badge' }), ' ', element('span', { class: 'waits muted' }));
      this.items.set(name, item);
      return item;
    }));
    names.replaceChildren(...this.model.names.map((name) => element('option', { value: name })));
  }

  renderLegend(counts) {
    document.getElementById('legend').replaceChildren(...TASK_STATES.map((s) => element('li',
      { 'data-legend-state': s }, element('span', { class: `swatch state-${s}`, 'aria-hidden': 'true' }),
      ` ${s} `, element('strong', {}, counts[s.toLowerCase()]))));
  }

  renderAttention() {
    const attention = this.model.names.filter((n) => ['AWAITING_REVIEW', 'FAILED', 'BLOCKED']
      .includes(this.model.state(n)));
    const key = attention.join('\n');
    if (key === this.attentionKey) {
      return;
    }
    this.attentionKey = key;
    const list = document.getElementById('attention-list');
    if (!attention.length) {
      list.replaceChildren(element('li', { class: 'muted' }, 'Nothing failed, blocked or awaiting review.'));
      return;
    }
    list.replaceChildren(...attention.map((name) => {
      const button = element('button', { type: 'button', class: 'link' }, name);
      button.addEventListener('click', () => this.select(name, true));
      const state = this.model.state(name);
      return element('li', {}, element('span', { class: `badge state-${state}` }, state), ' ', button);
    }));
  }

  renderRun() {
    const run = this.model.run;
    const badge = document.getElementById('run-state');
    badge.textContent = run.state;
    badge.className = `badge run-${run.state}`;
    document.body.dataset.runState = run.state;
    document.getElementById('run-times').textContent = [
      `created ${formatTime(run.created_at)}`,
      run.finished_at ? `finished ${formatTime(run.finished_at)}`
        : run.state === 'PAUSED' ? `paused (${run.paused_reason || 'operator'})` : 'running',
      `duration ${formatDuration(run.created_at, run.finished_at)}`,
      `processor ${run.processor}`,
      formatUsage(run.usage),
      this.who.role === 'admin' && this.who.via !== 'none' && run.tenant ? `tenant ${run.tenant}` : '',
    ].filter(Boolean).join(' · ');
    const enabled = {
      'pause-run': run.state === 'RUNNING',
      'resume-run': run.state === 'PAUSED',
      'cancel-run': run.state === 'RUNNING' || run.state === 'PAUSED',
      'rerun-run': ['FAILED', 'CANCELLED'].includes(run.state),
    };
    const acts = mayAct(this.who);
    for (const [id, on] of Object.entries(enabled)) {
      document.getElementById(id).disabled = !on;
      document.getElementById(id).hidden = !acts;
    }
    document.getElementById('read-only').hidden = acts;
    const warnings = Array.isArray(run.warnings) ? run.warnings : [];
    const list = document.getElementById('run-warnings');
    list.hidden = warnings.length === 0;
    list.replaceChildren(...warnings.map((w) => element('li', {},
      typeof w === 'string' ? w : `${w.field ? `${w.field}: ` : ''}${w.reason || w.message || JSON.stringify(w)}`)));
  }

  wireControls() {
    this.action('pause-run', () => post(runPath(this.runId, 'pause')));
    this.action('resume-run', () => post(runPath(this.runId, 'resume')));
    this.action('cancel-run', () => post(runPath(this.runId, 'cancel')));
    this.action('rerun-run', () => post(runPath(this.runId, 'rerun')));
    document.getElementById('fit').addEventListener('click', () => fitAll(this.cy));
    document.getElementById('focus').addEventListener('click', () => focusOnActive(this.cy));
    document.getElementById('search-form').addEventListener('submit', (event) => {
      event.preventDefault();
      const query = document.getElementById('search').value.trim();
      const error = document.getElementById('search-error');
      const lower = query.toLowerCase();
      const name = this.model.projects.has(query) ? query
        : this.model.names.find((n) => n.toLowerCase().includes(lower));
      error.textContent = name && query ? '' : `No project matches “${query}”.`;
      if (name && query) {
        this.select(name, true);
      }
    });
    document.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && this.selected) {
        this.select(null);
      }
    });
  }

  /** A run action button: disabled while it runs, the API's refusal shown next to it. */
  action(id, call) {
    const button = document.getElementById(id);
    button.addEventListener('click', async () => {
      button.disabled = true;
      document.getElementById('run-error').hidden = true;
      try {
        this.afterAction(await call());
      } catch (error) {
        this.showError(`${button.textContent} refused: ${error.message}`);
        this.renderRun();
      }
    });
  }

  afterAction(run) {
    this.model.run = run;
    this.applyStates(Object.fromEntries(run.tasks.map((t) => [t.name, t.state])));
    this.renderRun();
    if (!FINAL_RUN_STATES.includes(run.state)) {
      this.follow();
    }
    if (this.selected) {
      this.refreshDetails();
    }
  }

  select(name, centre = false) {
    this.selected = name;
    highlight(this.cy, name);
    this.items.get(this.previouslySelected)?.classList.remove('selected');
    this.previouslySelected = name;
    if (name) {
      this.items.get(name).classList.add('selected');
      this.items.get(name).scrollIntoView({ block: 'nearest' });
    }
    const panel = document.getElementById('details');
    if (!name) {
      panel.replaceChildren(element('p', { class: 'muted' }, 'Select a project in the graph or the list.'));
      return;
    }
    if (centre) {
      this.cy.animate({ center: { eles: this.cy.getElementById(name) }, zoom: Math.max(this.cy.zoom(), 0.8) },
        { duration: 200 });
    }
    this.refreshDetails();
  }

  refreshDetails() {
    clearTimeout(this.detailsTimer);
    this.detailsTimer = setTimeout(() => showDetails(document.getElementById('details'), this.runId, this.model,
      this.selected, { mayAct: mayAct(this.who), onSelect: (n) => this.select(n, true),
        onRerun: (run) => this.afterAction(run) }), 50);
  }

  showError(message) {
    const error = document.getElementById('run-error');
    error.textContent = message;
    error.hidden = false;
  }
}
