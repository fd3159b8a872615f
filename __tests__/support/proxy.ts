import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy between the action and PostgreSQL that counts the client's round trips: one per
 * simple Query message ('Q') and one per Sync ('S') of the extended protocol. It also follows how
 * many of those were on the wire at once, unanswered (the server answers each with ReadyForQuery,
 * 'Z'): more than one means the client pipelines. The traffic passes through unchanged.
 */
export class RoundTripCounter {
  private server: Server;
  count = 0;
  /** The most requests sent and not yet answered at one moment. */
  maxInFlight = 0;
  private inFlight = 0;
  /** The connections the client opened through the proxy. */
  connections = 0;
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {
    this.server = createServer((client) => this.relay(client));
  }

  async start(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    this.port = typeof address === 'object' && address ? address.port : 0;
    return this.port;
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.server.close(resolve));
  }

  private relay(client: Socket): void {
    this.connections++;
    const server = connect(this.target.port, this.target.host);
    let buffered = Buffer.alloc(0);
    // Before the startup message, messages have no type byte (SSLRequest, StartupMessage).
    let started = false;
    client.on('data', (chunk: Buffer) => {
      server.write(chunk);
      buffered = Buffer.concat([buffered, chunk]);
      for (;;) {
        if (!started) {
          if (buffered.length < 8) break;
          const length = buffered.readInt32BE(0);
          if (buffered.length < length) break;
          const code = buffered.readInt32BE(4);
          // 80877103: SSLRequest, 80877104: GSSENCRequest; anything else is the startup.
          if (code !== 80877103 && code !== 80877104) started = true;
          buffered = buffered.subarray(length);
          continue;
        }
        if (buffered.length < 5) break;
        const length = buffered.readInt32BE(1);
        if (buffered.length < length + 1) break;
        const type = String.fromCharCode(buffered[0] ?? 0);
        if (type === 'Q' || type === 'S') {
          this.count++;
          this.inFlight++;
          this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
        }
        buffered = buffered.subarray(length + 1);
      }
    });
    // The server's messages are all framed (no SSLRequest is answered: sslmode=disable).
    let answers = Buffer.alloc(0);
    server.on('data', (chunk: Buffer) => {
      client.write(chunk);
      answers = Buffer.concat([answers, chunk]);
      while (answers.length >= 5) {
        const length = answers.readInt32BE(1);
        if (answers.length < length + 1) break;
        // The ReadyForQuery after the startup answers no request.
        if (answers[0] === 0x5a && this.inFlight > 0) this.inFlight--;
        answers = answers.subarray(length + 1);
      }
    });
    client.on('close', () => server.destroy());
    server.on('close', () => client.destroy());
    client.on('error', () => server.destroy());
    server.on('error', () => client.destroy());
  }
}
