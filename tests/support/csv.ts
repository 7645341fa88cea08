/** A strict RFC 4180 parser for tests: quoted fields, doubled quotes, CRLF line ends. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const char = text[i] as string;
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
      } else if (char === '"') {
        quoted = false;
        i++;
      } else {
        field += char;
        i++;
      }
    } else if (char === '"' && field === "") {
      quoted = true;
      i++;
    } else if (char === ",") {
      row.push(field);
      field = "";
      i++;
    } else if (char === "\r" && text[i + 1] === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      i += 2;
    } else if (char === "\n" || char === "\r" || char === '"') {
      throw new Error(`bare ${JSON.stringify(char)} at ${i}: not RFC 4180`);
    } else {
      field += char;
      i++;
    }
  }
  if (quoted) throw new Error("unterminated quoted field");
  if (field !== "" || row.length > 0) throw new Error("last line without CRLF");
  return rows;
}

/** Header plus rows as objects keyed by the header's names. */
export function csvObjects(text: string): Record<string, string>[] {
  const [header, ...rows] = parseCsv(text);
  if (!header) throw new Error("no header line");
  return rows.map((row) => {
    if (row.length !== header.length) throw new Error(`row with ${row.length} fields, header has ${header.length}`);
    return Object.fromEntries(header.map((name, index) => [name, row[index] as string]));
  });
}

/** The header line of each export (server/services/analytics-export.ts), written out so a changed column shows. */
export const exportHeaders = {
  clicks: ["clickId", "createdAt", "code", "advocateId", "course", "channel", "storyId", "country", "source"],
  conversions: [
    "conversionId",
    "externalId",
    "type",
    "customerId",
    "course",
    "amount",
    "currency",
    "status",
    "flagged",
    "advocateId",
    "channel",
    "storyId",
    "clickId",
    "refundOf",
    "occurredAt",
  ],
  rewards: [
    "rewardId",
    "conversionId",
    "side",
    "advocateId",
    "customerId",
    "kind",
    "amount",
    "currency",
    "percent",
    "status",
    "flagged",
    "holdUntil",
    "createdAt",
  ],
  stories: [
    "storyId",
    "course",
    "status",
    "featured",
    "tags",
    "rating",
    "outcomeType",
    "verificationLevel",
    "name",
    "headline",
    "createdAt",
    "approvedAt",
  ],
};
