import { Client, Pool } from 'pg';

/**
 * PostgreSQL LISTEN/NOTIFY. A LISTEN lives on one session for as long as it listens, so it gets a
 * dedicated connection with the pool's settings (not a pooled one, which goes back to others).
 */

export interface NotificationHandlers {
  /** one NOTIFY on the channel, with its payload ('' when none) */
  notify(payload: string): void;
  /** the connection was lost; the listener is closed (listen again to resume) */
  lost(err: Error): void;
}

export interface ChannelListener {
  /** stops listening and closes the connection; idempotent */
  close(): Promise<void>;
}

/** Opens a listener on a channel: resolves once LISTEN ran. Errors: the connection's (DB unreachable, auth). */
export type Listen = (channel: string, handlers: NotificationHandlers) => Promise<ChannelListener>;

const CHANNEL_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** A Listen over dedicated connections made with `pool`'s connection settings. Channel names: lower-case identifiers. */
export function listenerOf(pool: Pool): Listen {
  return async (channel, handlers) => {
    if (!CHANNEL_NAME.test(channel)) throw new Error(`invalid notification channel name ${JSON.stringify(channel)}`);
    const client = new Client(pool.options);
    let closed = false;
    const close = async () => {
      if (closed) return;
      closed = true;
      await client.end().catch(() => undefined);
    };
    client.on('notification', (msg) => {
      if (msg.channel === channel) handlers.notify(msg.payload ?? '');
    });
    client.on('error', (err) => {
      if (closed) return;
      void close();
      handlers.lost(err);
    });
    try {
      await client.connect();
      await client.query(`listen ${channel}`);
    } catch (err) {
      await close();
      throw err;
    }
    return { close };
  };
}
