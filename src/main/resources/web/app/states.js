// Task and run states with their fill colours. Text colours are chosen for contrast (WCAG AA)
// against each fill; the same pairs are in style.css for the legend, list and badges.
export const TASK_STATES = ['WAITING', 'READY', 'RUNNING', 'AWAITING_REVIEW', 'SUCCEEDED', 'FAILED', 'BLOCKED',
  'CANCELLED'];
export const FINAL_RUN_STATES = ['SUCCEEDED', 'FAILED', 'CANCELLED'];

export const COLOURS = {
  WAITING: { fill: '#e5e7eb', text: '#111827' },
  READY: { fill: '#bfdbfe', text: '#111827' },
  RUNNING: { fill: '#1d4ed8', text: '#ffffff' },
  AWAITING_REVIEW: { fill: '#7e22ce', text: '#ffffff' },
  SUCCEEDED: { fill: '#15803d', text: '#ffffff' },
  FAILED: { fill: '#b91c1c', text: '#ffffff' },
  BLOCKED: { fill: '#fbbf24', text: '#111827' },
  CANCELLED: { fill: '#4b5563', text: '#ffffff' },
};

/** A task state ends when it can no longer change without a rerun. */
export function isFinalTask(state) {
  return state === 'SUCCEEDED' || state === 'FAILED' || state === 'BLOCKED' || state === 'CANCELLED';
}
