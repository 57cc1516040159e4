// Follows a run's Server-Sent Events over fetch() (EventSource cannot send credentials headers):
// reconnects with Last-Event-ID so nothing is missed or repeated, falls back to polling when the
// stream keeps failing, and stops once the run is final.
import { send, runPath } from './api.js';

const MAX_STREAM_FAILURES = 3;
const POLL_MS = 2000;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * handlers: onEvent({type, id, data}), onStatus(text), isFinal(), poll() (reads the whole run
 * when the stream is not available).
 */
export function followRun(runId, handlers, lastEventId = null) {
  const follower = { lastEventId, stopped: false, done: false, mode: 'stream' };
  follower.stop = () => {
    follower.stopped = true;
    if (follower.controller) {
      follower.controller.abort();
    }
  };
  run(runId, follower, handlers).finally(() => {
    follower.done = true;
  });
  return follower;
}

async function run(runId, follower, handlers) {
  let failures = 0;
  while (!follower.stopped && !handlers.isFinal()) {
    try {
      await readStream(runId, follower, handlers);
      failures = 0;
    } catch (error) {
      if (follower.stopped) {
        return;
      }
      failures++;
      handlers.onStatus(`event stream lost (${error.message}), reconnecting`);
      if (failures >= MAX_STREAM_FAILURES) {
        await pollUntilFinal(follower, handlers);
        return;
      }
    }
    if (!follower.stopped && !handlers.isFinal()) {
      await sleep(Math.min(1000 * (failures + 1), 5000));
    }
  }
  handlers.onStatus(handlers.isFinal() ? 'run finished' : '');
}

async function readStream(runId, follower, handlers) {
  follower.controller = new AbortController();
  const headers = { Accept: 'text/event-stream' };
  if (follower.lastEventId) {
    headers['Last-Event-ID'] = follower.lastEventId;
  }
  const response = await send(runPath(runId, 'events'), { headers, signal: follower.controller.signal });
  if (!response.ok) {
    throw new Error(`HTTP ${response.status}`);
  }
  handlers.onStatus(follower.lastEventId ? 'live (reconnected)' : 'live');
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let event = { type: 'message', data: [] };
  for (;;) {
    const { value, done } = await reader.read();
    if (done) {
      return;
    }
    buffer += value;
    let newline;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, newline).replace(/\r$/, '');
      buffer = buffer.slice(newline + 1);
      if (line === '') {
        if (event.data.length) {
          handlers.onEvent({ type: event.type, id: event.id, data: JSON.parse(event.data.join('\n')) });
          if (event.id) {
            follower.lastEventId = event.id;
          }
        }
        event = { type: 'message', data: [] };
      } else if (!line.startsWith(':')) {
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const text = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'data') event.data.push(text);
        else if (field === 'event') event.type = text;
        else if (field === 'id') event.id = text;
      }
    }
  }
}

async function pollUntilFinal(follower, handlers) {
  follower.mode = 'poll';
  while (!follower.stopped && !handlers.isFinal()) {
    handlers.onStatus('event stream unavailable: polling');
    try {
      await handlers.poll();
    } catch (error) {
      handlers.onStatus(`polling failed (${error.message}), retrying`);
    }
    await sleep(POLL_MS);
  }
  handlers.onStatus('run finished');
}
