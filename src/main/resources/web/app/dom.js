// Tiny DOM helpers: pages build elements with properties and text, never HTML strings,
// so nothing from the service is ever parsed as markup.

export function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) {
      continue;
    }
    node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === '') {
      continue;
    }
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

export function formatTime(iso) {
  return iso ? new Date(iso).toLocaleString() : '';
}

export function formatDuration(fromIso, toIso) {
  if (!fromIso) {
    return '';
  }
  const ms = (toIso ? new Date(toIso) : new Date()) - new Date(fromIso);
  if (ms < 1000) {
    return `${Math.max(ms, 0)} ms`;
  }
  const s = Math.round(ms / 100) / 10;
  if (s < 60) {
    return `${s} s`;
  }
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min ${Math.round(s % 60)} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function formatUsage(usage) {
  if (!usage) {
    return '';
  }
  const parts = [];
  if (usage.calls) {
    parts.push(`${usage.calls} calls`);
  }
  if (usage.cached) {
    parts.push(`${usage.cached} cached`);
  }
  if (usage.input_tokens || usage.output_tokens) {
    parts.push(`${usage.input_tokens} in / ${usage.output_tokens} out tokens`);
  }
  if (usage.cost_usd !== undefined && usage.cost_usd !== null) {
    parts.push(`$${Number(usage.cost_usd).toFixed(4)}`);
  }
  return parts.length ? parts.join(', ') : 'no model calls';
}
