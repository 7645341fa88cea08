/** A real HTTP receiver on 127.0.0.1 that answers with the statuses it is given, in order. */
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

export type Received = { headers: IncomingHttpHeaders; body: string };

export async function startReceiver(statuses: number[] = [], delayMs = 0) {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    let body = "";
    request.setEncoding("utf8");
    request.on("data", (chunk) => {
      body += chunk;
    });
    request.on("end", () => {
      received.push({ headers: request.headers, body });
      response.statusCode = statuses[received.length - 1] ?? 200;
      setTimeout(() => response.end("ok"), delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/chorus`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
