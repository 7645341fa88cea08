/** Field schemas that several endpoints share, so a course slug means the same thing everywhere. */
import { z } from "zod";

/** The provider's course identifier, as in `course="data-analytics"`. */
export const courseSlug = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, "a course slug such as data-analytics");

/** The loader's first-party random visitor id. */
export const visitorId = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, "a visitor id from the loader");
