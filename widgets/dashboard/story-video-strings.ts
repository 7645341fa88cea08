/** The moderation queue's video strings (watch before approving, correct the transcript), in English and Hindi. */
import { catalog } from "../lib/i18n.ts";

const en = {
  video: "Video of “{headline}”",
  transcript: "Transcript (its captions on the wall)",
  saveTranscript: "Save transcript",
  saved: "Transcript saved for “{headline}”.",
  needed: "A video story needs its transcript before it can be approved.",
  noPoster: "No poster frame was sent.",
};

export const storyVideoText = catalog(en, () => import("./story-video-strings.hi.ts"));
