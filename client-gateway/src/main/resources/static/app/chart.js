import uPlot from '/webjars/uplot/1.6.30/dist/uPlot.esm.js';
import { $ } from './dom.js';

const WINDOW_SECONDS = 15 * 60;

/**
 * Throughput (tasks finished per interval) and queue depth over the last 15 minutes: seeded from GET /cluster/history,
 * then extended from the stream (each terminal task event counts in its interval, each cluster event sets the depth).
 */
export class ThroughputChart {
  constructor() {
    this.interval = 5;
    this.times = [];
    this.finished = [];
    this.depth = [];
    this.lastDepth = 0;
    this.plot = null;
    this.container = $('chart');
    setInterval(() => this.tick(), 1000);
    new ResizeObserver(() => this.resize()).observe(this.container);
  }

  seed(history) {
    this.interval = history.intervalSeconds || 5;
    this.times = [];
    this.finished = [];
    this.depth = [];
    for (const point of history.points || []) {
      this.times.push(Math.floor(Date.parse(point.at) / 1000));
      this.finished.push(point.finished || 0);
      this.depth.push(point.queueDepth || 0);
    }
    if (this.depth.length) this.lastDepth = this.depth[this.depth.length - 1];
    this.tick();
  }

  finishedAt(iso) {
    const i = this.bucket(iso ? Date.parse(iso) : Date.now());
    if (i >= 0) {
      this.finished[i]++;
    }
  }

  queueDepth(depth) {
    this.lastDepth = depth;
    const i = this.bucket(Date.now());
    if (i >= 0) {
      this.depth[i] = depth;
    }
  }

  /** The index of the interval holding {@code millis}, adding intervals up to it; -1 when older than the window. */
  bucket(millis) {
    const start = Math.floor(millis / 1000 / this.interval) * this.interval;
    const last = this.times.length ? this.times[this.times.length - 1] : null;
    if (last === null || start > last) {
      let next = last === null ? start : last + this.interval;
      while (next <= start) {
        this.times.push(next);
        this.finished.push(0);
        this.depth.push(this.lastDepth);
        next += this.interval;
      }
      this.trim();
      return this.times.length - 1;
    }
    for (let i = this.times.length - 1; i >= 0; i--) {
      if (this.times[i] <= start) return this.times[i] === start ? i : -1;
    }
    return -1;
  }

  trim() {
    const oldest = Date.now() / 1000 - WINDOW_SECONDS;
    let drop = 0;
    while (drop < this.times.length && this.times[drop] < oldest) drop++;
    if (drop) {
      this.times.splice(0, drop);
      this.finished.splice(0, drop);
      this.depth.splice(0, drop);
    }
  }

  tick() {
    this.bucket(Date.now()); // time moves on without events: the newest interval is always now
    if (!this.plot) this.create();
    this.plot.setData([this.times, this.finished, this.depth]);
  }

  size() {
    const width = Math.max(240, this.container.clientWidth);
    return { width, height: 180 };
  }

  resize() {
    if (this.plot) this.plot.setSize(this.size());
  }

  create() {
    const css = getComputedStyle(document.documentElement);
    const finishedColour = css.getPropertyValue('--chart-finished').trim() || '#2f6fb0';
    const depthColour = css.getPropertyValue('--chart-depth').trim() || '#c07a1a';
    const axisColour = css.getPropertyValue('--muted').trim() || '#667';
    const gridColour = css.getPropertyValue('--grid').trim() || '#e4e7ec';
    this.plot = new uPlot({
      ...this.size(),
      cursor: { drag: { x: false, y: false, setScale: false } },
      legend: { live: true },
      scales: {
        // always the whole window, however little is known yet
        x: { time: true, range: () => { const now = Date.now() / 1000; return [now - WINDOW_SECONDS, now]; } },
        finished: { range: (u, min, max) => [0, Math.max(4, max)] },
        depth: { range: (u, min, max) => [0, Math.max(4, max)] } },
      series: [
        { label: 'Time',
          value: (u, v) => (v == null ? '--' : new Date(v * 1000).toLocaleTimeString([], { hour12: false })) },
        { label: `Finished / ${this.interval}s`, scale: 'finished', stroke: finishedColour, width: 2,
          // bars: a 5 s interval is a few pixels of a 15 minute chart, too thin for a line to show
          fill: `${finishedColour}cc`, paths: uPlot.paths.bars({ size: [1, 12, 3], align: 1 }),
          points: { show: false } },
        { label: 'Queue depth', scale: 'depth', stroke: depthColour, width: 2, points: { show: false } },
      ],
      axes: [
        { stroke: axisColour, grid: { stroke: gridColour, width: 1 }, ticks: { stroke: gridColour }, space: 70,
          values: (u, ticks) => ticks.map((t) => new Date(t * 1000)
            .toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', hour12: false })) },
        { scale: 'finished', stroke: axisColour, grid: { stroke: gridColour, width: 1 }, ticks: { show: false },
          size: 40 },
        { scale: 'depth', side: 1, stroke: axisColour, grid: { show: false }, ticks: { show: false }, size: 40 },
      ],
    }, [this.times, this.finished, this.depth], this.container);
  }
}
