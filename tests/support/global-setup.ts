/** Migrates one template database per run; each test copies it instead of migrating again. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@libsql/client";
import type { TestProject } from "vitest/node";
import { migrateDatabase } from "../../db/migrate.ts";

declare module "vitest" {
  export interface ProvidedContext {
    templateDatabase: string;
  }
}

export default async function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), "chorus-template-"));
  const file = join(dir, "template.db");
  const client = createClient({ url: `file:${file}` });
  await migrateDatabase(client);
  client.close();
  project.provide("templateDatabase", file);
  return () => rmSync(dir, { recursive: true, force: true });
}
