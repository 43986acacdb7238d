/**
 * The node test environment plus a leak guard: after every test file (all its hooks have run) it
 * compares what keeps the event loop alive (process.getActiveResourcesInfo: sockets, child
 * processes, ref'd timers...) with what was there before the file started. Anything left over is
 * what makes jest say "A worker process has failed to exit gracefully": it is reported with the
 * file's name; GOVDB_LEAK_GUARD=strict fails the file instead.
 */
const { TestEnvironment } = require('jest-environment-node');

function counts() {
  const m = new Map();
  for (const t of process.getActiveResourcesInfo()) m.set(t, (m.get(t) || 0) + 1);
  return m;
}

function leftovers(before) {
  const out = [];
  for (const [type, n] of counts()) {
    const extra = n - (before.get(type) || 0);
    if (extra > 0) out.push(`${type} ×${extra}`);
  }
  return out;
}

class LeakGuardEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    this.testPath = context.testPath;
  }

  async setup() {
    await super.setup();
    this.before = counts();
  }

  async teardown() {
    // sockets and child processes close asynchronously after their owners' close(): give them a moment
    let left = leftovers(this.before);
    for (let i = 0; i < 40 && left.length; i++) {
      await new Promise((r) => setTimeout(r, 50));
      left = leftovers(this.before);
    }
    await super.teardown();
    if (left.length) {
      const message = `leak guard: ${require('path').relative(process.cwd(), this.testPath)} left ${left.join(', ')} keeping the worker alive`;
      if (process.env.GOVDB_LEAK_GUARD === 'strict') throw new Error(message);
      process.stderr.write(message + '\n');
    }
  }
}

module.exports = LeakGuardEnvironment;
