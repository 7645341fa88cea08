/**
 * A separate process that records the same conversion 25 times at once through the real service
 * and prints how many calls created it. Two of these at once prove idempotency holds at the
 * database, not only inside one process.
 */
import { createClient } from "@libsql/client";
import { createDb } from "../../db/index.ts";
import { ConversionInput } from "../../server/routes/conversion-schemas.ts";
import { recordConversion } from "../../server/services/conversions.ts";
import { getWorkspace } from "../../server/services/workspaces.ts";

const { DATABASE_URL: url, WORKSPACE_ID: workspaceId, BODY: body } = process.env;
if (!url || !workspaceId || !body) throw new Error("DATABASE_URL, WORKSPACE_ID and BODY are required");
const client = createClient({ url, timeout: 10_000 });
const db = createDb(client);
const workspace = await getWorkspace({ db }, { id: workspaceId });
if (!workspace) throw new Error("no such workspace");
const input = ConversionInput.parse(JSON.parse(body));
const results = await Promise.all(
  Array.from({ length: 25 }, () =>
    recordConversion(
      { db, clock: { now: () => new Date() }, secret: "runner-secret-0123456789-0123456789", workspace },
      input,
    ),
  ),
);
client.close();
console.log(
  JSON.stringify({
    created: results.filter((result) => result.created).length,
    replayed: results.filter((result) => !result.created).length,
  }),
);
