// A progress bar made of one segment per task state, widths from the counts.
import { element } from './dom.js';
import { TASK_STATES } from './states.js';

export function progressBar(counts, total, bar = element('div', { class: 'progress' })) {
  const label = TASK_STATES.filter((s) => counts[s.toLowerCase()])
    .map((s) => `${counts[s.toLowerCase()]} ${s.toLowerCase()}`).join(', ');
  bar.setAttribute('role', 'img');
  bar.setAttribute('aria-label', label || 'no tasks');
  bar.title = label;
  bar.replaceChildren(...TASK_STATES.filter((s) => counts[s.toLowerCase()]).map((s) => {
    const segment = element('span', { class: `segment state-${s}` });
    // A CSSOM property, not a style attribute: allowed under a strict Content-Security-Policy.
    segment.style.width = `${(100 * counts[s.toLowerCase()]) / Math.max(total, 1)}%`;
    return segment;
  }));
  return bar;
}
