/**
 * The media store's Node back end (server/node-media-store.ts) against a real temporary folder,
 * and the key rules every back end shares (server/services/media-store.ts). The R2 back end runs
 * under workerd in tests/process/worker-media.test.ts.
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createFileMediaStore } from "../../server/node-media-store.ts";
import { isMediaKey, mediaKey } from "../../server/services/media-store.ts";

const folder = mkdtempSync(join(tmpdir(), "chorus-media-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe("media keys", () => {
  it("are namespaced by workspace and refuse anything that could leave the store's folder", () => {
    expect(mediaKey("ws_1", "story-photos", "st_1", "ab12")).toBe("ws_1/story-photos/st_1/ab12");
    for (const bad of ["..", "a/b", "", ".hidden", "a b", "x".repeat(129)])
      expect(() => mediaKey("ws_1", "story-photos", bad)).toThrow(/Not a media key/);
    expect(() => mediaKey("ws_1", "story-photos")).toThrow(/Not a media key/);
    expect(isMediaKey("../ws_1/story-photos/a")).toBe(false);
    expect(isMediaKey("ws_1/story-photos/a..b")).toBe(false);
  });
});

describe("the file media store", () => {
  const store = createFileMediaStore(folder);

  it("keeps bytes and content type, replaces whole, forgets on delete, and leaves no temporary file", async () => {
    const key = mediaKey("ws_1", "story-photos", "st_1");
    expect(await store.get(key)).toBeNull();
    await store.put(key, new Uint8Array([1, 2, 3, 0x0a, 4]), "image/png");
    expect(await store.get(key)).toEqual({ bytes: new Uint8Array([1, 2, 3, 0x0a, 4]), contentType: "image/png" });
    await store.put(key, new Uint8Array([9]), "image/jpeg");
    expect(await store.get(key)).toEqual({ bytes: new Uint8Array([9]), contentType: "image/jpeg" });
    expect(readdirSync(join(folder, "ws_1", "story-photos"))).toEqual(["st_1"]);
    await store.delete(key);
    expect(await store.get(key)).toBeNull();
    await store.delete(key); // deleting what is gone is no error
  });

  it("keeps one workspace's object apart from another's under the same name", async () => {
    await store.put(mediaKey("ws_a", "story-photos", "same"), new Uint8Array([1]), "image/png");
    await store.put(mediaKey("ws_b", "story-photos", "same"), new Uint8Array([2]), "image/png");
    await store.delete(mediaKey("ws_a", "story-photos", "same"));
    expect((await store.get(mediaKey("ws_b", "story-photos", "same")))?.bytes).toEqual(new Uint8Array([2]));
  });

  it("refuses a key mediaKey could not have made before touching the disk", async () => {
    await expect(store.put("../escape", new Uint8Array([1]), "image/png")).rejects.toThrow(/Not a media key/);
    await expect(store.get("ws_1/../../etc/passwd")).rejects.toThrow(/Not a media key/);
  });
});
