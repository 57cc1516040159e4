// What the run page knows about a run: every project's state and links, the counts, and what
// each WAITING project still waits for. Graph, list, legend and details all read from here.
import { TASK_STATES } from './states.js';

export class RunModel {
  constructor(layout) {
    this.names = layout.nodes.map((n) => n.name);
    this.projects = new Map(layout.nodes.map((n) => [n.name,
      { name: n.name, layer: n.layer, state: 'WAITING', upstream: new Set(), requiredUpstream: new Set(),
        downstream: new Set() }]));
    for (const e of layout.edges) {
      this.projects.get(e.to).upstream.add(e.from);
      if (e.required) {
        this.projects.get(e.to).requiredUpstream.add(e.from);
      }
      this.projects.get(e.from).downstream.add(e.to);
    }
    this.run = null;
  }

  state(name) {
    return this.projects.get(name)?.state;
  }

  /** Sets a project's state; returns true when it changed. */
  setState(name, state) {
    const project = this.projects.get(name);
    if (!project || project.state === state) {
      return false;
    }
    project.state = state;
    return true;
  }

  counts() {
    const counts = Object.fromEntries(TASK_STATES.map((s) => [s.toLowerCase(), 0]));
    for (const p of this.projects.values()) {
      counts[p.state.toLowerCase()]++;
    }
    return counts;
  }

  /** The upstream projects a project still waits for (those not SUCCEEDED). */
  waitsFor(name) {
    const project = this.projects.get(name);
    return [...project.upstream].filter((from) => this.state(from) !== 'SUCCEEDED');
  }

  /** For a BLOCKED project: the chain from the failed ancestor down to it, or [] if none is found. */
  pathToFailure(name) {
    const previous = new Map([[name, null]]);
    const queue = [name];
    while (queue.length) {
      const current = queue.shift();
      if (current !== name && this.state(current) === 'FAILED') {
        const path = [];
        for (let at = current; at !== null; at = previous.get(at)) {
          path.push(at);
        }
        return path;
      }
      for (const from of this.projects.get(current).requiredUpstream) {
        const state = this.state(from);
        if (!previous.has(from) && (state === 'FAILED' || state === 'BLOCKED')) {
          previous.set(from, current);
          queue.push(from);
        }
      }
    }
    return [];
  }
}
