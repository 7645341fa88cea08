/**
 * A real DNS server (dns2, UDP on 127.0.0.1) for SSRF tests: the guard's resolver asks it over
 * the wire like any DNS server, so names resolve for real and nothing in the guard is mocked.
 * A zone maps a name to its answers, or to a function of the query's number (1 for the first
 * A query of that name, and so for AAAA): DNS rebinding answers one address first, another
 * after. It counts the queries per name and type.
 */
import dns2 from "dns2";

const { Packet } = dns2;

/** One answer: an address (A or AAAA by its form) or `{ cname }` pointing at another name of the zone. */
export type Answer = string | { cname: string };
export type Zone = Record<string, Answer[] | ((query: number) => Answer[])>;

export async function startDnsServer(zone: Zone) {
  const queries = new Map<string, number>();
  const key = (name: string, type: "A" | "AAAA") => `${type} ${name.toLowerCase()}`;
  const answersFor = (name: string, query: number): Answer[] => {
    const entry = zone[name.toLowerCase()];
    return entry === undefined ? [] : typeof entry === "function" ? entry(query) : entry;
  };
  const server = dns2.createServer({
    udp: true,
    handle: (request, send) => {
      const response = Packet.createResponseFromRequest(request);
      // dns2's types want its Resource class; plain records are what it encodes.
      const records = response.answers as unknown as Record<string, unknown>[];
      const [question] = request.questions;
      if (!question) return send(response);
      const type = question.type === Packet.TYPE.AAAA ? "AAAA" : "A";
      const asked = (queries.get(key(question.name, type)) ?? 0) + 1;
      queries.set(key(question.name, type), asked);
      // Follow CNAMEs inside the zone, as a recursive resolver would, answering the whole chain.
      let name = question.name;
      for (let depth = 0; depth < 8; depth++) {
        const answers = answersFor(name, asked);
        const alias = answers.find((answer): answer is { cname: string } => typeof answer !== "string");
        if (alias) {
          records.push({ name, type: Packet.TYPE.CNAME, class: Packet.CLASS.IN, ttl: 1, domain: alias.cname });
          name = alias.cname;
          continue;
        }
        for (const address of answers as string[]) {
          const isV6 = address.includes(":");
          if (isV6 !== (type === "AAAA")) continue;
          records.push({
            name,
            type: isV6 ? Packet.TYPE.AAAA : Packet.TYPE.A,
            class: Packet.CLASS.IN,
            ttl: 1,
            address,
          });
        }
        break;
      }
      if (answersFor(question.name, asked).length === 0) response.header.rcode = 3; // NXDOMAIN
      send(response);
    },
  });
  const addresses = await server.listen({ udp: { port: 0, address: "127.0.0.1" } });
  const port = (addresses as { udp: { port: number } }).udp.port;
  return {
    /** `host:port`, for node:dns `setServers`. */
    address: `127.0.0.1:${port}`,
    /** How many times `name` was asked for, A and AAAA. */
    queries: (name: string) => ({
      a: queries.get(key(name, "A")) ?? 0,
      aaaa: queries.get(key(name, "AAAA")) ?? 0,
    }),
    close: () => server.close(),
  };
}
