import { css } from "lit";

export const storyWallStyles = css`
  :host {
    min-height: var(--chorus-wall-min-height, 28rem);
  }
  /* The filters sit on the element itself: with a dark theme it brings its own background. */
  :host(:not([theme="light"])) {
    background: var(--_bg);
  }
  .filters {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.5rem 1.25rem;
    margin-bottom: 1rem;
  }
  select {
    min-height: 44px;
    margin-inline-start: 0.5rem;
    padding: 0.25em 0.5em;
    border: 1px solid var(--_border);
    border-radius: calc(var(--_radius) * 0.5);
    background: var(--_bg);
    color: var(--_fg);
    font: inherit;
  }
  .toggle {
    display: inline-flex;
    align-items: center;
    gap: 0.5rem;
    min-height: 44px;
  }
  .toggle input {
    width: 1.25rem;
    height: 1.25rem;
    accent-color: var(--_accent);
  }
  .placeholder {
    display: grid;
    place-items: center;
    gap: 1rem;
    min-height: calc(var(--chorus-wall-min-height, 28rem) - 5rem);
  }
  .wall {
    columns: var(--chorus-wall-column-width, 18rem) auto;
    column-gap: 1rem;
  }
  .wall > div {
    break-inside: avoid;
    margin-bottom: 1rem;
  }
  .list {
    display: grid;
    gap: 1rem;
  }
  .story {
    display: grid;
    gap: 0.6rem;
    padding: 1rem 1.25rem;
    background: var(--_bg);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
  }
  h3 {
    font-size: 1.1em;
    line-height: 1.3;
  }
  .rating {
    color: var(--_accent);
    letter-spacing: 0.1em;
  }
  .body {
    white-space: pre-line;
    overflow-wrap: anywhere;
    unicode-bidi: isolate;
  }
  .author {
    display: flex;
    align-items: center;
    gap: 0.75rem;
  }
  .author img {
    width: 44px;
    height: 44px;
    border-radius: 50%;
    object-fit: cover;
    background: var(--_surface);
  }
  .name {
    display: block;
    font-weight: 600;
    unicode-bidi: isolate;
  }
  .outcome {
    display: block;
    color: var(--_muted);
    font-size: 0.9em;
  }
  .badge {
    justify-self: start;
    min-height: 32px;
    padding: 0.25em 0.75em;
    border: 1px solid var(--_border);
    border-radius: 999px;
    background: var(--_surface);
    color: var(--_fg);
    font-size: 0.85em;
    cursor: pointer;
  }
  .badge.provider_attested,
  .badge.credential_verified {
    border-color: var(--_accent);
    font-weight: 600;
  }
  .badge.credential_verified::before,
  .badge.provider_attested::before {
    content: "✓ " / "";
  }
  .more {
    display: flex;
    justify-content: center;
    margin-top: 1rem;
  }
  .controls {
    display: flex;
    align-items: center;
    justify-content: flex-end;
    gap: 0.5rem;
    margin-bottom: 0.75rem;
  }
  .controls .button {
    min-width: 44px;
  }
  .position {
    min-width: 4rem;
    text-align: center;
    color: var(--_muted);
    font-variant-numeric: tabular-nums;
  }
  /* Every slide sits in the same cell, so the carousel is as tall as its tallest story and never jumps. */
  .slides {
    display: grid;
  }
  .slide {
    grid-area: 1 / 1;
    visibility: hidden;
  }
  .slide[data-current] {
    visibility: visible;
  }
  .slide .story {
    height: 100%;
  }
  dialog {
    max-width: min(36rem, calc(100vw - 2rem));
    padding: 1.25rem 1.5rem;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    background: var(--_bg);
    color: var(--_fg);
  }
  dialog::backdrop {
    background: rgb(0 0 0 / 0.5);
  }
  dialog > * + * {
    margin-top: 0.75rem;
  }
  dialog .badge {
    display: inline-block;
    cursor: default;
  }
  .checks {
    display: grid;
    gap: 0.4rem;
    padding: 0;
    list-style: none;
  }
  .checks li {
    display: grid;
    grid-template-columns: 7.5rem 6rem 1fr;
    gap: 0.5rem;
    font-size: 0.9em;
  }
  .checks .fail strong {
    color: var(--chorus-danger, #b91c1c);
  }
  :host([theme="dark"]) .checks .fail strong {
    color: var(--chorus-danger, #fca5a5);
  }
  .hash code {
    overflow-wrap: anywhere;
    font-size: 0.85em;
  }
`;
