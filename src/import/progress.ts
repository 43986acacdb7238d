/** A one-line progress bar on stderr, drawn only when stderr is a terminal (never in logs or CI). */
export class Progress {
  private last = 0;
  private drawn = false;

  constructor(private readonly enabled: boolean = !!process.stderr.isTTY) {}

  update(label: string, fraction: number | undefined, items: number): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.last < 100) return;
    this.last = now;
    const width = 24;
    const bar = fraction === undefined ? '' : `[${'#'.repeat(Math.round(fraction * width)).padEnd(width)}] ${(fraction * 100).toFixed(0).padStart(3)}% `;
    const text = `${bar}${items} records  ${label}`;
    const cols = process.stderr.columns || 100;
    process.stderr.write(`\r${text.slice(0, cols - 1).padEnd(cols - 1)}`);
    this.drawn = true;
  }

  clear(): void {
    if (this.enabled && this.drawn) process.stderr.write(`\r${' '.repeat((process.stderr.columns || 100) - 1)}\r`);
    this.drawn = false;
  }
}
