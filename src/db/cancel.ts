// The protocol's CancelRequest for the statement a connection is running (a cancelled job), as psql sends on Ctrl-C.
import type pg from 'pg';
import type { ConnectionTarget } from './url.js';

/**
 * Asks the server to cancel whatever the connection is running (the job was cancelled), with
 * the protocol's CancelRequest on a connection of its own, as psql does on Ctrl-C.
 */
export async function cancelRunning(target: ConnectionTarget, client: pg.Client): Promise<void> {
  const { processID, secretKey } = client as unknown as {
    processID: number | null;
    secretKey: number | null;
  };
  if (processID == null || secretKey == null) return;
  const { connect: open } = await import('node:net');
  const message = Buffer.alloc(16);
  message.writeInt32BE(16, 0);
  message.writeInt32BE(80877102, 4);
  message.writeInt32BE(processID, 8);
  message.writeInt32BE(secretKey, 12);
  await new Promise<void>((resolve) => {
    // A host that is a folder means a Unix-domain socket, as in libpq.
    const where = target.host.startsWith('/')
      ? { path: `${target.host}/.s.PGSQL.${target.port}` }
      : { host: target.host, port: target.port };
    const socket = open(where, () => socket.end(message));
    socket.setTimeout(5000, () => socket.destroy());
    socket.on('close', () => resolve());
    socket.on('error', () => resolve());
  });
}
