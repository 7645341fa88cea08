/**
 * The declarations that hide text from sight but not from screen readers: the widgets' class
 * `.visually-hidden` and the dashboard's `.sr-only` are both this. Written minified: the build's
 * minifier passes over a fragment of bare declarations (it is not a stylesheet), so spaces would ship.
 */
import { css } from "lit";

export const visuallyHidden = css`
position:absolute;
width:1px;
height:1px;
overflow:hidden;
clip:rect(0 0 0 0);
white-space:nowrap;
`;
