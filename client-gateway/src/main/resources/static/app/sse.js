import { authHeaders } from './api.js';

/**
 * A server-sent-events reader on fetch(), because EventSource cannot send the Authorization header and the key must
 * never travel in a URL. Reconnects with a growing pause, sending the last id seen as Last-Event-ID so that the
 * gateway replays what was missed (or sends a reset).
 *
 * handlers: { event(type, data, id), status(state, detail), unauthorized(detail) }
 */
export class EventStream {
  constructor(path, handlers) {
    this.path = path;
    this.handlers = handlers;
    this.lastEventId = null;
    this.controller = null;
    this.stopped = true;
    this.pause = 1000;
    this.timer = null;
  }

  start() {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    if (this.controller) this.controller.abort();
  }

  /** Drops the connection and opens a new one at once (a new key, say), keeping the last id. */
  restart() {
    this.stop();
    this.start();
  }

  async connect() {
    const controller = new AbortController();
    this.controller = controller;
    this.handlers.status('connecting');
    const headers = authHeaders({ Accept: 'text/event-stream' });
    if (this.lastEventId !== null) headers['Last-Event-ID'] = this.lastEventId;
    try {
      const response = await fetch(this.path, { headers, signal: controller.signal, cache: 'no-store' });
      if (response.status === 401) {
        const problem = await response.json().catch(() => ({}));
        this.stopped = true;
        this.handlers.status('offline', 'needs a key');
        this.handlers.unauthorized(problem.detail || 'An API key is required.');
        return;
      }
      if (!response.ok || !response.body) {
        throw new Error(`${response.status} ${response.statusText}`);
      }
      this.handlers.status('live');
      this.pause = 1000;
      await this.read(response.body);
      if (!this.stopped) this.handlers.status('reconnecting', 'the stream ended');
    } catch (e) {
      if (controller.signal.aborted) return;
      this.handlers.status('reconnecting', e.message);
    }
    if (!this.stopped && this.controller === controller) {
      this.timer = setTimeout(() => this.connect(), this.pause);
      this.pause = Math.min(this.pause * 2, 15000);
    }
  }

  async read(body) {
    const reader = body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    let frame = { type: '', data: [], id: null };
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      // Lines end with \n, \r\n or \r (the SSE grammar); a trailing \r may be half of a \r\n still in flight.
      let match;
      const lineEnd = /\r\n|\n|\r(?!$)/g;
      let start = 0;
      while ((match = lineEnd.exec(buffer)) !== null) {
        const line = buffer.slice(start, match.index);
        start = match.index + match[0].length;
        frame = this.line(line, frame);
      }
      buffer = buffer.slice(start);
    }
  }

  line(line, frame) {
    if (line === '') {
      if (frame.id !== null) this.lastEventId = frame.id;
      if (frame.data.length > 0) {
        this.dispatch(frame.type || 'message', frame.data.join('\n'), frame.id);
      }
      return { type: '', data: [], id: null };
    }
    if (line.startsWith(':')) return frame; // a keep-alive comment
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') frame.type = value;
    else if (field === 'data') frame.data.push(value);
    else if (field === 'id' && !value.includes('\0')) frame.id = value;
    return frame;
  }

  dispatch(type, text, id) {
    let data;
    try {
      data = JSON.parse(text);
    } catch {
      return; // every zootask event carries JSON; anything else is not ours to show
    }
    this.handlers.event(type, data, id);
  }
}
