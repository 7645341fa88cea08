/**
 * One CSV line as RFC 4180 wants it (comma separated, CRLF ended, fields with a comma, quote or
 * line break quoted, quotes doubled): the analytics exports and the audit log export share it.
 */

/**
 * One field as RFC 4180 wants it, also quoted when it holds a semicolon or a tab: spreadsheets
 * set to split on those would otherwise cut it into cells.
 */
export function csvField(value: string): string {
  return /[",;\t\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

export function csvLine(values: string[]): string {
  return `${values.map(csvField).join(",")}\r\n`;
}
