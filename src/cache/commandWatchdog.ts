import type { Redis } from 'ioredis';

/** The part of an ioredis command the watchdog uses (public fields of ioredis's Command). */
interface PendingCommand {
  isSettled: boolean;
  reject(err: Error): void;
}

/** ioredis's queues (denque): the sent commands, and while reconnecting the unanswered ones. */
interface CommandDeque {
  length: number;
  peekAt(index: number): { command: PendingCommand } | undefined;
}

interface Queues {
  commandQueue?: CommandDeque | null;
  prevCommandQueue?: CommandDeque | null;
  offlineQueue?: CommandDeque | null;
}

/** Tick period as a fraction of the timeout: a stalled command is rejected between 4/5 and 5/5 of it. */
const TICKS_PER_TIMEOUT = 5;

/**
 * Fail-fast for one ioredis connection without a timer per command (what ioredis's
 * `commandTimeout` arms and clears on every command). One interval per connection, while it is
 * connecting or connected, stamps each pending command the first time it sees it; once the oldest
 * pending command has been seen for `timeoutMs` minus one tick, every pending command of the
 * connection is rejected with ioredis's own "Command timed out" (replies come in order: the ones
 * behind it wait for the same stalled server). As with `commandTimeout`, the connection is kept: a
 * rejected command stays queued, so a late reply still matches its command and is dropped.
 *
 * Bounds: a command is rejected after at least 4/5 and at most `timeoutMs` (plus event-loop delay,
 * as for a timer). Commands in ioredis's offline and resend queues (during a reconnect) count too.
 */
export function watchCommands(client: Redis, timeoutMs: number): void {
  const period = Math.max(1, Math.floor(timeoutMs / TICKS_PER_TIMEOUT));
  const limit = timeoutMs - period;
  const seen = new WeakMap<PendingCommand, number>();
  let timer: NodeJS.Timeout | undefined;

  const check = () => {
    const now = Date.now();
    const queues = client as unknown as Queues;
    let stalled = false;
    for (const queue of [queues.prevCommandQueue, queues.offlineQueue, queues.commandQueue]) {
      if (!queue) continue;
      for (let i = 0; i < queue.length; i++) {
        const command = queue.peekAt(i)?.command;
        if (!command || command.isSettled) continue;
        const first = seen.get(command);
        if (first === undefined) seen.set(command, now);
        else if (now - first >= limit) stalled = true;
      }
    }
    if (!stalled) return;
    for (const queue of [queues.prevCommandQueue, queues.offlineQueue, queues.commandQueue]) {
      if (!queue) continue;
      for (let i = 0; i < queue.length; i++) {
        const command = queue.peekAt(i)?.command;
        if (command && !command.isSettled) command.reject(new Error('Command timed out'));
      }
    }
  };

  const arm = () => {
    if (timer) return;
    timer = setInterval(check, period);
    timer.unref();
  };
  client.on('connecting', arm);
  client.on('end', () => {
    clearInterval(timer);
    timer = undefined;
  });
  if (client.status !== 'wait' && client.status !== 'end') arm();
}
