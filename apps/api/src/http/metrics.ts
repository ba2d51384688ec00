import type { RequestHandler } from 'express';

/** A small Prometheus registry: counters and a latency histogram of HTTP requests. */
export class HttpMetrics {
  private readonly counts = new Map<string, number>();
  private readonly buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
  private readonly histogram = new Map<string, { counts: number[]; sum: number; total: number }>();

  /** Express middleware counting every response by method, route template and status. */
  middleware(): RequestHandler {
    return (req, res, next) => {
      const started = process.hrtime.bigint();
      res.on('finish', () => {
        const route = (req.route?.path as string | undefined) ?? 'unmatched';
        const labels = `method="${req.method}",route="${route}",status="${res.statusCode}"`;
        this.counts.set(labels, (this.counts.get(labels) ?? 0) + 1);
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        const key = `method="${req.method}",route="${route}"`;
        const entry = this.histogram.get(key) ?? { counts: this.buckets.map(() => 0), sum: 0, total: 0 };
        this.buckets.forEach((bound, i) => {
          if (seconds <= bound) entry.counts[i]! += 1;
        });
        entry.sum += seconds;
        entry.total += 1;
        this.histogram.set(key, entry);
      });
      next();
    };
  }

  /** The Prometheus text exposition of everything counted so far. */
  render(): string {
    const lines = ['# HELP betang_http_requests_total HTTP requests by method, route and status.', '# TYPE betang_http_requests_total counter'];
    for (const [labels, value] of this.counts) lines.push(`betang_http_requests_total{${labels}} ${value}`);
    lines.push('# HELP betang_http_request_duration_seconds HTTP request latency.', '# TYPE betang_http_request_duration_seconds histogram');
    for (const [labels, entry] of this.histogram) {
      this.buckets.forEach((bound, i) => lines.push(`betang_http_request_duration_seconds_bucket{${labels},le="${bound}"} ${entry.counts[i]}`));
      lines.push(`betang_http_request_duration_seconds_bucket{${labels},le="+Inf"} ${entry.total}`);
      lines.push(`betang_http_request_duration_seconds_sum{${labels}} ${entry.sum}`);
      lines.push(`betang_http_request_duration_seconds_count{${labels}} ${entry.total}`);
    }
    const memory = process.memoryUsage();
    lines.push('# TYPE process_resident_memory_bytes gauge', `process_resident_memory_bytes ${memory.rss}`);
    return `${lines.join('\n')}\n`;
  }
}
