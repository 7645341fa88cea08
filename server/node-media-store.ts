/**
 * The Node back end of the media store (server/services/media-store.ts): one file per object under
 * a folder (by default `media/` beside the database file). Each file is the content type, a
 * newline, then the bytes, written to a temporary name and renamed into place, so a reader (or a
 * crash) never sees half an object and type and bytes always travel together.
 */
import { randomUUID } from "node:crypto";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { assertMediaKey, type MediaStore } from "./services/media-store.ts";

const newline = 0x0a;

export function createFileMediaStore(folder: string): MediaStore {
  const pathOf = (key: string) => {
    assertMediaKey(key);
    return join(folder, ...key.split("/"));
  };
  return {
    async put(key, bytes, contentType) {
      if (contentType.includes("\n")) throw new Error("A content type has no newline");
      const path = pathOf(key);
      await mkdir(dirname(path), { recursive: true });
      const header = new TextEncoder().encode(`${contentType}\n`);
      const file = new Uint8Array(header.byteLength + bytes.byteLength);
      file.set(header, 0);
      file.set(bytes, header.byteLength);
      const temporary = `${path}.${randomUUID()}.tmp`;
      try {
        await writeFile(temporary, file, { flush: true });
        await rename(temporary, path);
      } catch (error) {
        await rm(temporary, { force: true });
        throw error;
      }
    },
    async get(key) {
      let file: Buffer;
      try {
        file = await readFile(pathOf(key));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
        throw error;
      }
      const end = file.indexOf(newline);
      if (end < 0) return null;
      const bytes = new Uint8Array(file.byteLength - end - 1);
      bytes.set(file.subarray(end + 1));
      return { contentType: file.subarray(0, end).toString("utf8"), bytes };
    },
    async delete(key) {
      await rm(pathOf(key), { force: true });
    },
  };
}
