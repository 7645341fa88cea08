/** The dashboard's entry: one custom element owns the page. */
import "./dashboard-app.ts";
