import { css } from "lit";

export const referralCardStyles = css`
  :host {
    min-height: var(--chorus-card-min-height, 24rem);
  }
  h2 {
    font-size: 1.25em;
    line-height: 1.3;
  }
  .link-row {
    display: flex;
    gap: 0.5rem;
  }
  .link-row input {
    flex: 1;
    min-width: 0;
    min-height: 44px;
    padding: 0.5em 0.75em;
    border: 1px solid var(--_border);
    border-radius: calc(var(--_radius) * 0.66);
    background: var(--_surface);
    color: var(--_fg);
  }
  .share {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
    padding: 0;
    margin: 0;
    list-style: none;
  }
  .share .button {
    min-width: 44px;
    font-size: 0.9em;
  }
  dl {
    grid-template-columns: repeat(auto-fit, minmax(6.5rem, 1fr));
  }
  dd {
    font-size: 1.4em;
    font-weight: 650;
    font-variant-numeric: tabular-nums;
  }
  h3 {
    font-size: 1em;
  }
  .rewards {
    margin: 0;
    padding: 0;
    list-style: none;
    display: grid;
    gap: 0.25rem;
  }
  .rewards li {
    display: flex;
    justify-content: space-between;
    gap: 1rem;
  }
  .qr {
    width: 10rem;
    height: 10rem;
    background: #fff;
    padding: 0.25rem;
    border-radius: 0.5rem;
  }
  .skeleton {
    min-height: 20rem;
    display: grid;
    place-items: center;
  }
  [role="status"]:empty {
    display: none;
  }
`;
