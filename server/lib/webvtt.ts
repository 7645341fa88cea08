/**
 * WebVTT captions from a transcript that has no timings (the author types what they said): the
 * text is cut into short cues at sentence ends (and between words where a sentence is long), and
 * the cues are spread over the video's duration in proportion to their length, as speech roughly
 * is. The timing is an estimate; the words are the author's, as the moderator approved them.
 */

/** A cue at most this long fits two lines of a caption on a phone. */
const maxCueChars = 84;

function cueTexts(transcript: string): string[] {
  const sentences = transcript
    .replace(/\s+/g, " ")
    .trim()
    .split(/(?<=[.!?।])\s+/)
    .filter(Boolean);
  const cues: string[] = [];
  for (const sentence of sentences) {
    let line = "";
    for (const word of sentence.split(" ")) {
      if (line && line.length + 1 + word.length > maxCueChars) {
        cues.push(line);
        line = word;
      } else line = line ? `${line} ${word}` : word;
    }
    if (line) cues.push(line);
  }
  return cues;
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

function timestamp(ms: number): string {
  const whole = Math.max(0, Math.round(ms));
  const hours = Math.floor(whole / 3_600_000);
  const minutes = Math.floor((whole % 3_600_000) / 60_000);
  const seconds = Math.floor((whole % 60_000) / 1000);
  return `${pad(hours)}:${pad(minutes)}:${pad(seconds)}.${pad(whole % 1000, 3)}`;
}

/** Cue text is not markup: `&`, `<` and `>` are escaped, so `-->` or a tag in the transcript stays text. */
const escapeCue = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** A WebVTT file whose cues carry the transcript over `durationMs` (empty of cues when the transcript is). */
export function captionsFromTranscript(transcript: string, durationMs: number): string {
  const cues = cueTexts(transcript);
  const total = cues.reduce((sum, cue) => sum + cue.length, 0);
  const lines = ["WEBVTT", ""];
  let start = 0;
  cues.forEach((cue, index) => {
    const end = index === cues.length - 1 ? durationMs : start + (durationMs * cue.length) / total;
    lines.push(String(index + 1), `${timestamp(start)} --> ${timestamp(end)}`, escapeCue(cue), "");
    start = end;
  });
  return lines.join("\n");
}
