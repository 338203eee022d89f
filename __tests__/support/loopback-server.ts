// An HTTP server on 127.0.0.1 at a free port, for the stand-ins of remote services. `stop` also ends the
// connections clients keep alive, so a test's teardown never waits on them.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type LoopbackHandler = (request: IncomingMessage, response: ServerResponse) => Promise<void>;

export class LoopbackServer {
  private constructor(
    private readonly server: Server,
    private readonly sockets: Set<Socket>,
    /** The port it listens on. */
    readonly port: number,
  ) {}

  /**
   * Starts listening. A handler that throws gets `onError` while nothing has been sent yet; after that the
   * connection is cut, so the client sees the failure instead of waiting.
   */
  static async start(
    handle: LoopbackHandler,
    onError: (response: ServerResponse, error: Error) => void,
  ): Promise<LoopbackServer> {
    const sockets = new Set<Socket>();
    const server = createServer((request, response) => {
      handle(request, response).catch((error: unknown) => {
        if (!response.headersSent) onError(response, error as Error);
        else response.destroy();
      });
    });
    server.on('connection', (socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return new LoopbackServer(server, sockets, (server.address() as AddressInfo).port);
  }

  /** `http://127.0.0.1:<port>/` */
  get url(): string {
    return `http://127.0.0.1:${this.port}/`;
  }

  /** Closes the server and every open connection. */
  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** A request's whole body. */
export async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Answers with `body` as JSON, under `contentType` (services differ in whether they name a charset). */
export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  contentType = 'application/json',
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
  response.end(text);
}
