import { SingleBar } from 'cli-progress';

/**
 * A progress bar with rate and ETA on stderr (cli-progress), drawn only when stderr is a terminal
 * (never in logs, pipes or CI). One bar per (file, pass): its position is the source's fraction
 * done (bytes for JSON lines) when known, the rate is records per second.
 */
export class Progress {
  private bar: SingleBar | undefined;
  private label = '';
  private started = 0;

  constructor(private readonly enabled: boolean = !!process.stderr.isTTY) {}

  update(label: string, fraction: number | undefined, items: number): void {
    if (!this.enabled) return;
    if (label !== this.label || !this.bar) {
      this.clear();
      this.label = label;
      this.started = Date.now();
      this.bar = new SingleBar({
        stream: process.stderr, format: '{bar} {percentage}% | {records} records | {rate} rec/s | ETA {eta_formatted} | {label}',
        hideCursor: true, clearOnComplete: true, etaBuffer: 50, fps: 5,
      });
      this.bar.start(1000, 0, { records: 0, rate: 0, label });
    }
    const seconds = Math.max(0.001, (Date.now() - this.started) / 1000);
    this.bar.update(fraction === undefined ? 0 : Math.round(fraction * 1000), { records: items, rate: Math.round(items / seconds), label });
  }

  clear(): void {
    this.bar?.stop();
    this.bar = undefined;
    this.label = '';
  }
}
