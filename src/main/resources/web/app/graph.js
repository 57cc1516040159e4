// The run's graph on a Cytoscape canvas at the positions the server laid out. Only states
// change after the first draw; edges keep ELK's bend points as Cytoscape segments.
import cytoscape from 'cytoscape';
import { COLOURS, TASK_STATES } from './states.js';

const BIG = 500;
// Labels are 13 px and hide below 6 px on screen (min-zoomed-font-size).
const READABLE_ZOOM = 0.5;
const FOCUS_ZOOM = 0.6;

export function drawGraph(container, layout, states, onSelect) {
  const big = layout.nodes.length > BIG;
  const centres = new Map(layout.nodes.map((n) => [n.name, n]));
  const cy = cytoscape({
    container,
    elements: {
      nodes: layout.nodes.map((n) => ({
        data: { id: n.name, label: n.name, state: states.get(n.name) || 'WAITING', w: n.width, h: n.height },
        position: { x: n.x, y: n.y },
      })),
      edges: layout.edges.map((e, i) => ({
        data: { id: `e${i}`, source: e.from, target: e.to, relation: e.relation, label: e.data_type || '',
          required: e.required, ...segments(centres.get(e.from), centres.get(e.to), e.bends) },
      })),
    },
    layout: { name: 'preset' },
    style: style(),
    minZoom: 0.02,
    maxZoom: 2.5,
    wheelSensitivity: 0.3,
    boxSelectionEnabled: false,
    autoungrabify: true,
    textureOnViewport: big,
    hideEdgesOnViewport: big,
    pixelRatio: big ? 1 : 'auto',
  });
  cy.on('tap', 'node', (event) => onSelect(event.target.id()));
  cy.on('tap', (event) => {
    if (event.target === cy) {
      onSelect(null);
    }
  });
  return cy;
}

/** ELK's absolute bend points as Cytoscape's weights along, and distances across, source -> target. */
function segments(source, target, bends) {
  if (!bends || bends.length === 0 || !source || !target) {
    return { curve: 'bezier' };
  }
  const dx = target.x - source.x;
  const dy = target.y - source.y;
  const length = Math.hypot(dx, dy) || 1;
  const nx = dx / length;
  const ny = dy / length;
  const weights = [];
  const distances = [];
  for (const p of bends) {
    const w = ((p.x - source.x) * nx + (p.y - source.y) * ny) / length;
    const px = source.x + dx * w;
    const py = source.y + dy * w;
    weights.push(w.toFixed(4));
    distances.push((-(p.x - px) * ny + (p.y - py) * nx).toFixed(1));
  }
  return { curve: 'segments', weights: weights.join(' '), distances: distances.join(' ') };
}

function style() {
  return [
    {
      selector: 'node',
      style: {
        shape: 'round-rectangle',
        width: 'data(w)',
        height: 'data(h)',
        label: 'data(label)',
        'font-family': 'system-ui, sans-serif',
        'font-size': 13,
        'text-wrap': 'wrap',
        'text-max-width': 168,
        'text-valign': 'center',
        'text-halign': 'center',
        'min-zoomed-font-size': 6,
        'border-width': 1,
        'border-color': '#374151',
      },
    },
    ...TASK_STATES.map((s) => ({
      selector: `node[state = "${s}"]`,
      style: { 'background-color': COLOURS[s].fill, color: COLOURS[s].text },
    })),
    {
      selector: 'edge',
      style: {
        width: 2,
        'line-color': '#334155',
        'target-arrow-color': '#334155',
        'target-arrow-shape': 'triangle',
        'curve-style': 'bezier',
        'arrow-scale': 0.9,
      },
    },
    {
      selector: 'edge[curve = "segments"]',
      style: {
        'curve-style': 'segments',
        'segment-weights': 'data(weights)',
        'segment-distances': 'data(distances)',
        'edge-distances': 'node-position',
      },
    },
    {
      selector: 'edge[relation = "data_flow"]',
      style: {
        width: 1.5,
        'line-style': 'dashed',
        'line-color': '#2563eb',
        'target-arrow-color': '#2563eb',
        label: 'data(label)',
        'font-size': 10,
        color: '#1e3a8a',
        'text-background-color': '#ffffff',
        'text-background-opacity': 0.85,
        'text-background-padding': 2,
        'min-zoomed-font-size': 7,
      },
    },
    { selector: 'edge[!required]', style: { 'line-style': 'dotted' } },
    { selector: 'node:selected', style: { 'border-width': 4, 'border-color': '#c2410c' } },
    { selector: '.dimmed', style: { opacity: 0.15 } },
    { selector: 'node.upstream', style: { 'border-width': 3, 'border-color': '#7c3aed' } },
    { selector: 'node.downstream', style: { 'border-width': 3, 'border-color': '#0e7490' } },
  ];
}

/** Highlights a project's upstream and downstream and dims the rest; null clears. */
export function highlight(cy, name) {
  cy.batch(() => {
    cy.elements().removeClass('dimmed upstream downstream');
    if (!name) {
      cy.nodes().unselect();
      return;
    }
    const node = cy.getElementById(name);
    const up = node.predecessors();
    const down = node.successors();
    cy.elements().difference(up.union(down).union(node)).addClass('dimmed');
    up.nodes().addClass('upstream');
    down.nodes().addClass('downstream');
    cy.nodes().unselect();
    node.select();
  });
}

/** The whole graph on screen, but a small one no larger than life-size. */
export function fitAll(cy) {
  cy.fit(undefined, 30);
  if (cy.zoom() > 1.2) {
    cy.zoom(1.2);
    cy.center();
  }
}

/**
 * Opens on what is running or failed (else ready): all of it when that fits at a readable zoom,
 * otherwise the earliest failed (else running) project at a zoom where labels show.
 */
export function focusOnActive(cy) {
  const failed = cy.nodes('[state = "FAILED"]');
  let active = failed.union(cy.nodes('[state = "RUNNING"]'));
  if (active.empty()) {
    active = cy.nodes('[state = "READY"]');
  }
  if (active.empty()) {
    fitAll(cy);
    return;
  }
  cy.fit(active, 60);
  if (cy.zoom() > 1) {
    cy.zoom(1);
    cy.center(active);
  } else if (cy.zoom() < READABLE_ZOOM) {
    const first = (failed.nonempty() ? failed : active).toArray()
      .reduce((a, b) => (b.position('y') < a.position('y')
        || (b.position('y') === a.position('y') && b.position('x') < a.position('x')) ? b : a));
    cy.zoom(FOCUS_ZOOM);
    cy.center(first);
  }
}
