/**
 * The video part of `<chorus-story-form>`: record with the camera and microphone (MediaRecorder,
 * up to 90 s with a visible countdown, a preview and a retake) or choose a file; a poster frame
 * drawn from the video on a canvas; the transcript the learner types (required with a video: it
 * becomes the captions). After the story is sent, the video and poster are uploaded with its edit
 * token. An on-demand chunk: the form loads it only when the learner asks to add a video.
 */
import { css, html, nothing, render } from "lit";
import { catalog, type Locale } from "./lib/i18n.ts";

const videoText = catalog(
  {
    legend: "Video (optional)",
    hint: "Record up to 90 seconds with your camera, or choose a video file (WebM or MP4, up to 50 MB).",
    record: "Record with my camera",
    stop: "Stop recording",
    retake: "Record again",
    file: "Or choose a video file",
    remove: "Remove the video",
    left: "{time} left",
    started: "Recording. You have up to 90 seconds.",
    tenLeft: "10 seconds left.",
    recorded: "Your video is ready ({seconds} s). Watch it below, or record again.",
    noCamera: "We couldn't use your camera or microphone. You can choose a video file instead.",
    tooLong: "The video is longer than 90 seconds.",
    tooLarge: "The video is larger than 50 MB.",
    badType: "Choose a WebM or MP4 video.",
    preview: "Your video",
    camera: "Your camera",
    transcript: "Transcript of your video",
    transcriptHint: "Type what you say in the video. It becomes its captions and is shown beside it.",
    needTranscript: "Type what you say in your video.",
    uploadFailed: "Your story is in, but its video could not be uploaded ({code}).",
  },
  () => import("./story-form-video.hi.ts"),
);
type Key = Parameters<typeof videoText>[1];

/** Adopted by the form's shadow root (a constructed sheet: no inline style for a strict CSP to block). */
const sheet = css`
  .preview { display: block; width: 100%; max-width: 32rem; aspect-ratio: 16 / 9; border-radius: 8px; background: #000; }
  .countdown { font-variant-numeric: tabular-nums; font-weight: 600; margin-inline-end: 0.75rem; }
`.styleSheet;

/** The limits the server checks too (services/story-videos.ts). */
const maxMs = 90_000;
const maxBytes = 50 * 1024 * 1024;

/** What this code needs of the form, by shape: importing the form's module would be an import cycle. */
type Form = { readonly locale: Locale };

/** What the form asks of its video part. */
export type VideoPart = {
  /** Why the form cannot be sent as it is (a video without transcript, a refused file), or "". */
  problem(): string;
  /** Uploads the video and poster to the story just received; "" or what went wrong, in words. */
  upload(story: { id: string; editToken?: string }): Promise<string>;
};

type Clip = { blob: Blob; url: string; durationMs: number; poster: Promise<Blob | null> };

/** A poster frame: the video's first frame on a canvas (at most 640 pixels wide), as JPEG; null if none can be drawn. */
async function posterOf(url: string): Promise<Blob | null> {
  const video = document.createElement("video");
  video.muted = true;
  video.playsInline = true;
  video.preload = "auto";
  const loaded = new Promise<void>((resolve, reject) => {
    video.onloadeddata = () => resolve();
    video.onerror = () => reject(new Error("unreadable"));
  });
  video.src = url;
  // A video the browser cannot decode leaves no frame: the story goes without a poster.
  const gaveUp = new Promise<never>((_, reject) => setTimeout(() => reject(new Error("no frame")), 10_000));
  try {
    await Promise.race([loaded, gaveUp]);
    const scale = Math.min(1, 640 / (video.videoWidth || 640));
    const canvas = document.createElement("canvas");
    canvas.width = Math.max(1, Math.round(video.videoWidth * scale));
    canvas.height = Math.max(1, Math.round(video.videoHeight * scale));
    canvas.getContext("2d")?.drawImage(video, 0, 0, canvas.width, canvas.height);
    return await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.85));
  } catch {
    return null;
  } finally {
    video.removeAttribute("src");
  }
}

/** The length of a chosen file, from its metadata (Infinity for a live-written WebM, NaN if unreadable). */
function durationOf(url: string): Promise<number> {
  const video = document.createElement("video");
  video.preload = "metadata";
  return new Promise((resolve) => {
    video.onloadedmetadata = () => resolve(video.duration * 1000);
    video.onerror = () => resolve(Number.NaN);
    video.src = url;
  });
}

async function put(path: string, body: Blob, editToken: string): Promise<void> {
  const config = window.chorus?.config;
  if (!config) throw new Error("no_loader");
  const response = await fetch(config.apiBase + path, {
    method: "PUT",
    body,
    headers: { "Chorus-Key": config.key, "Chorus-Edit-Token": editToken, "Content-Type": body.type || "video/webm" },
  });
  if (!response.ok) {
    const data = (await response.json().catch(() => null)) as { error?: { code?: string } } | null;
    throw new Error(data?.error?.code ?? `http_${response.status}`);
  }
}

const clock = (ms: number) => {
  const seconds = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
};

/** Shows the video part in `slot` (inside the form, so the transcript is one of the form's fields). */
export async function attachVideo(form: Form, slot: HTMLElement): Promise<VideoPart> {
  await videoText.load(form.locale);
  const root = slot.getRootNode();
  if (sheet && root instanceof ShadowRoot && !root.adoptedStyleSheets.includes(sheet))
    root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
  const t = (key: Key, vars?: Record<string, string | number>) => videoText(form.locale, key, vars);
  let clip: Clip | null = null;
  let stream: MediaStream | null = null;
  let recorder: MediaRecorder | null = null;
  let endsAt = 0;
  let ticker: number | undefined;
  /** Said by the live region: state changes only (the countdown beside it is not read out every second). */
  let said = "";
  let refused = "";
  let shownTranscriptError = false;

  const setClip = (next: Clip | null) => {
    if (clip) URL.revokeObjectURL(clip.url);
    clip = next;
  };

  const stopStream = () => {
    for (const track of stream?.getTracks() ?? []) track.stop();
    stream = null;
    clearInterval(ticker);
  };

  async function record() {
    setClip(null);
    refused = "";
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: true, audio: true });
    } catch {
      said = t("noCamera");
      return update();
    }
    const type = ["video/webm;codecs=vp8,opus", "video/webm", "video/mp4"].find((candidate) =>
      MediaRecorder.isTypeSupported(candidate),
    );
    const chunks: Blob[] = [];
    const active = new MediaRecorder(stream, type ? { mimeType: type } : {});
    recorder = active;
    const startedAt = performance.now();
    active.ondataavailable = (event) => event.data.size && chunks.push(event.data);
    active.onstop = () => {
      const durationMs = Math.min(maxMs, Math.round(performance.now() - startedAt));
      stopStream();
      recorder = null;
      const blob = new Blob(chunks, { type: active.mimeType || "video/webm" });
      const url = URL.createObjectURL(blob);
      setClip({ blob, url, durationMs, poster: posterOf(url) });
      said = t("recorded", { seconds: Math.round(durationMs / 1000) });
      update();
    };
    active.start(1000);
    endsAt = Date.now() + maxMs;
    said = t("started");
    ticker = window.setInterval(() => {
      const left = endsAt - Date.now();
      if (left <= 0) return active.state === "recording" && active.stop();
      if (left <= 10_000 && said === t("started")) said = t("tenLeft");
      update();
    }, 1000);
    update();
  }

  async function pick(event: Event) {
    const input = event.target as HTMLInputElement;
    const file = input.files?.[0];
    input.value = "";
    if (!file) return;
    setClip(null);
    const url = URL.createObjectURL(file);
    const ms = await durationOf(url);
    refused = !/^video\/(webm|mp4)$/.test(file.type)
      ? t("badType")
      : file.size > maxBytes
        ? t("tooLarge")
        : Number.isFinite(ms) && ms > maxMs + 1000
          ? t("tooLong")
          : "";
    if (refused) {
      URL.revokeObjectURL(url);
      said = refused;
    } else {
      setClip({ blob: file, url, durationMs: Number.isFinite(ms) ? Math.round(ms) : 0, poster: posterOf(url) });
      said = "";
    }
    update();
  }

  function removeClip() {
    setClip(null);
    update();
  }

  /**
   * Removing the focused button (the recording stopped) fires a focusout, which has the form
   * validate, which asks for an update: such a nested update waits for the running one to end.
   */
  let rendering = false;
  function update() {
    if (rendering) return queueMicrotask(update);
    rendering = true;
    try {
      draw();
    } finally {
      rendering = false;
    }
  }

  function draw() {
    const recording = recorder?.state === "recording";
    const transcriptError = shownTranscriptError && clip !== null;
    render(
      html`<fieldset class="field">
        <legend>${t("legend")}</legend>
        <p class="hint" id="video-hint">${t("hint")}</p>
        ${
          recording
            ? html`<video class="preview" muted playsinline autoplay aria-label=${t("camera")} .srcObject=${stream}></video>
              <p><span class="countdown">${t("left", { time: clock(endsAt - Date.now()) })}</span>
                <button type="button" class="button" @click=${() => recorder?.stop()}>${t("stop")}</button></p>`
            : html`${
                clip
                  ? html`<video class="preview" controls playsinline src=${clip.url} aria-label=${t("preview")}></video>`
                  : nothing
              }
              <p><button type="button" id="video" class="button secondary" aria-describedby="video-hint"
                @click=${record}>${clip ? t("retake") : t("record")}</button>
              ${clip ? html`<button type="button" class="button secondary" @click=${removeClip}>${t("remove")}</button>` : nothing}</p>
              <label for="video-file">${t("file")}</label>
              <input id="video-file" type="file" accept="video/webm,video/mp4" @change=${pick} />`
        }
        <p role="status" class="hint">${said}</p>
        <label for="transcript">${t("transcript")}</label>
        <p class="hint" id="transcript-hint">${t("transcriptHint")}</p>
        <textarea id="transcript" name="transcript" rows="4" maxlength="5000" aria-invalid=${transcriptError ? "true" : "false"}
          aria-describedby="transcript-hint${transcriptError ? " transcript-error" : ""}"></textarea>
        ${transcriptError ? html`<p class="error" id="transcript-error">${t("needTranscript")}</p>` : nothing}
      </fieldset>`,
      slot,
    );
  }

  update();
  slot.querySelector<HTMLElement>("#video")?.focus();
  const transcript = () => slot.querySelector<HTMLTextAreaElement>("#transcript")?.value.trim() ?? "";

  return {
    problem() {
      shownTranscriptError = clip !== null && !transcript();
      update();
      if (refused) return refused;
      return shownTranscriptError ? t("needTranscript") : "";
    },
    async upload(story) {
      if (!clip || !story.editToken) return "";
      const path = `/v1/stories/${encodeURIComponent(story.id)}`;
      try {
        const duration = clip.durationMs ? `?durationMs=${clip.durationMs}` : "";
        await put(`${path}/video${duration}`, clip.blob, story.editToken);
        const poster = await clip.poster;
        if (poster) await put(`${path}/poster`, poster, story.editToken);
        setClip(null);
        return "";
      } catch (error) {
        return t("uploadFailed", { code: error instanceof Error ? error.message : "network_error" });
      }
    },
  };
}
