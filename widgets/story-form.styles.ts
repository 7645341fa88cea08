import { css } from "lit";

export const storyFormStyles = css`
  :host {
    --_danger: var(--chorus-danger, #b91c1c);
    position: relative;
    min-height: var(--chorus-form-min-height, 36rem);
  }
  :host([theme="dark"]) {
    --_danger: var(--chorus-danger, #fca5a5);
  }
  @media (prefers-color-scheme: dark) {
    :host([theme="auto"]) {
      --_danger: var(--chorus-danger, #fca5a5);
    }
  }
  h2 {
    font-size: 1.25em;
    line-height: 1.3;
  }
  .field {
    display: grid;
    gap: 0.35rem;
    min-width: 0;
  }
  fieldset {
    margin: 0;
    padding: 0.75rem 1rem;
    border: 1px solid var(--_border);
    border-radius: calc(var(--_radius) * 0.66);
  }
  legend,
  label {
    font-weight: 600;
  }
  .hint {
    color: var(--_muted);
    font-size: 0.9em;
  }
  input:not([type="radio"], [type="checkbox"]),
  textarea,
  select {
    width: 100%;
    min-height: 44px;
    padding: 0.5em 0.75em;
    border: 1px solid var(--_border);
    border-radius: calc(var(--_radius) * 0.5);
    background: var(--_bg);
    color: var(--_fg);
    font: inherit;
  }
  textarea {
    resize: vertical;
  }
  [aria-invalid="true"]:not([type="radio"], [type="checkbox"]) {
    border: 2px solid var(--_danger);
  }
  .error {
    color: var(--_danger);
    font-weight: 600;
  }
  .row {
    display: grid;
    grid-template-columns: repeat(auto-fit, minmax(14rem, 1fr));
    gap: 1rem;
  }
  .stars {
    display: flex;
    flex-wrap: wrap;
    gap: 0.25rem 1rem;
  }
  .stars label,
  .consents label {
    display: inline-flex;
    align-items: center;
    gap: 0.5rem;
    min-height: 44px;
    font-weight: 400;
  }
  .consents {
    display: grid;
  }
  input[type="radio"],
  input[type="checkbox"] {
    width: 1.25rem;
    height: 1.25rem;
    margin: 0;
    accent-color: var(--_accent);
  }
  .summary {
    padding: 0.75rem 1rem;
    border: 2px solid var(--_danger);
    border-radius: calc(var(--_radius) * 0.66);
  }
  .summary ul {
    margin: 0.5rem 0 0;
    padding-inline-start: 1.25rem;
  }
  .summary a {
    color: var(--_fg);
  }
  /* The honeypot: out of sight, out of the tab order and of the accessibility tree. */
  .trap {
    position: absolute;
    left: -10000px;
    width: 1px;
    height: 1px;
    overflow: hidden;
  }
  .level {
    display: inline-block;
    padding: 0.25em 0.75em;
    border: 1px solid var(--_accent);
    border-radius: 999px;
    font-weight: 600;
  }
  #thanks:focus {
    outline: none;
  }
`;
