/**
 * A real HTTP receiver on 127.0.0.1 that answers with the statuses it is given, in order; or,
 * with `hang`, takes every request and never answers (a receiver that is down but still accepts
 * connections) until it is closed.
 */
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo, Socket } from "node:net";

export type Received = { headers: IncomingHttpHeaders; body: string };

export async function startReceiver(statuses: number[] = [], delayMs = 0, { hang = false } = {}) {
  const received: Received[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((request, response) => {
    let body = "";
    request.setEncoding("utf8");
    request.on("data", (chunk) => {
      body += chunk;
    });
    request.on("end", () => {
      received.push({ headers: request.headers, body });
      if (hang) return;
      response.statusCode = statuses[received.length - 1] ?? 200;
      setTimeout(() => response.end("ok"), delayMs);
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/chorus`,
    received,
    /** Closes the server and drops every connection (a hanging request then fails at once). */
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
