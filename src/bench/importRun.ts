import { importLegacy } from '../import/importLegacy';

/** Child process of the benchmark: imports one file and reports rows, time and peak memory on stdout. */
async function main(): Promise<void> {
  const [file, databaseUrl, workDir] = process.argv.slice(2);
  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
  const started = Date.now();
  const report = await importLegacy({
    paths: [file!],
    databaseUrl,
    progress: false,
    checkpointFile: `${workDir}/checkpoint.json`,
    quarantineFile: `${workDir}/quarantine.jsonl`,
  });
  const ms = Date.now() - started;
  clearInterval(sampler);
  const totals = report.totals as Record<string, { read?: number; inserted?: number }>;
  const rows = Object.values(totals).reduce((n, t) => n + (t.inserted ?? 0), 0);
  process.stdout.write(JSON.stringify({ ms, rows, peakRssBytes: Math.max(peakRss, process.resourceUsage().maxRSS * 1024) }) + '\n');
}

main().catch((err) => {
  process.stderr.write(`import bench failed: ${(err as Error).stack}\n`);
  process.exit(1);
});
