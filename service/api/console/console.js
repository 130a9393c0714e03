// The review console: a queue of flags, an account's case, a linked cluster, and the
// analyst's actions, over the sidecar API. Every value from the API reaches the page as
// text (textContent, attributes), never as markup: account ids and reasons are
// attacker-controlled. The token lives in sessionStorage and travels only as a header.
"use strict";

const store = window.sessionStorage;
const $ = (id) => document.getElementById(id);

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value !== null && value !== undefined && value !== false) node.setAttribute(name, value);
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function svg(tag, attrs, ...children) {
  const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  for (const child of children) node.append(child instanceof Node ? child : String(child));
  return node;
}

// Event time, UTC, to the second.
const when = (ts) => (typeof ts === "number" ? new Date(ts * 1000).toISOString().slice(0, 19).replace("T", " ") : "");
const num = (x, digits = 3) => (typeof x === "number" ? x.toFixed(digits).replace(/\.?0+$/, "") || "0" : "");
const accountHref = (id) => "#/account/" + encodeURIComponent(id);
const clusterHref = (id) => "#/cluster/" + encodeURIComponent(id);
const badge = (action) => el("span", { class: "badge " + action }, action);
const shadowMark = (on) => (on ? el("span", { class: "badge shadow", title: "shadow mode: computed, not enforced" }, "shadow") : null);
const list = (items) => (items && items.length ? items.join(", ") : "—");

class Unauthorized extends Error {}

async function api(path, options = {}) {
  const headers = { authorization: "Bearer " + store.getItem("token"), ...(options.headers || {}) };
  const response = await fetch(path, { ...options, headers, credentials: "omit", cache: "no-store" });
  if (response.status === 401) throw new Unauthorized("the token was refused");
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    const detail = body && body.detail ? JSON.stringify(body.detail) : response.statusText;
    throw new Error(`${response.status} ${detail}`);
  }
  return body;
}

function table(headings, rows, empty) {
  if (!rows.length) return el("p", { class: "empty" }, empty);
  return el("table", {},
    el("thead", {}, el("tr", {}, headings.map((h) => el("th", {}, h)))),
    el("tbody", {}, rows.map((cells) => el("tr", {}, cells.map((c) => el("td", {}, c))))));
}

function section(title, ...content) {
  return el("section", {}, el("h2", {}, title), ...content);
}

// ---- the queue -------------------------------------------------------------------------

const FILTERS = ["action", "family", "cluster_id", "tenant"];

function queueParams() {
  const query = new URLSearchParams(location.hash.split("?")[1] || "");
  return Object.fromEntries(FILTERS.filter((f) => query.get(f)).map((f) => [f, query.get(f)]));
}

function filterForm(page, params) {
  const select = (name, options) => el("select", { name },
    el("option", { value: "" }, "any"),
    options.map((o) => el("option", { value: o, selected: params[name] === o ? "" : null }, o)));
  const form = el("form", { id: "filters", class: "filters" },
    el("label", {}, "Action ", select("action", ["review", "throttle", "block", "allow"])),
    el("label", {}, "Family ", select("family", page.families)),
    el("label", {}, "Cluster ", el("input", { name: "cluster_id", value: params.cluster_id || "", size: 28 })),
    el("label", {}, "Tenant ", el("input", { name: "tenant", list: "tenants", placeholder: "acme-*", value: params.tenant || "" })),
    el("datalist", { id: "tenants" }, page.tenants.map((t) => el("option", { value: t }))),
    el("button", { type: "submit" }, "Filter"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const query = new URLSearchParams();
    for (const [name, value] of new FormData(form)) if (value) query.set(name, value);
    location.hash = "#/?" + query.toString();
  });
  return form;
}

function flagRow(item) {
  return [
    el("a", { href: accountHref(item.account_id), class: "account" }, item.account_id),
    el("span", {}, badge(item.action), " ", shadowMark(item.shadow)),
    num(item.score), list(item.families), list(item.reasons),
    item.cluster_id ? el("a", { href: clusterHref(item.cluster_id) }, item.cluster_id) : "—",
    when(item.ts),
  ];
}

function changeRow(item) {
  return [
    when(item.ts), el("a", { href: accountHref(item.account_id), class: "account" }, item.account_id),
    el("span", {}, item.previous_action || "", " → ", badge(item.action), " ", shadowMark(item.shadow)),
    num(item.score), list(item.reasons), item.source === "feedback" ? "analyst" : "detection",
  ];
}

async function showQueue() {
  const params = queueParams();
  const page = await api("/v1/queue?" + new URLSearchParams(params));
  return [
    el("h1", {}, "Review queue"),
    filterForm(page, params),
    section(`Current flags (${page.flags.length})`, table(
      ["Account", "Action", "Score", "Families", "Reasons", "Cluster", "Since"],
      page.flags.map(flagRow), "No account is flagged.")),
    section("Recent verdict changes", table(
      ["When", "Account", "Change", "Score", "Reasons", "By"],
      page.changes.map(changeRow), "No verdict change yet.")),
    el("p", { class: "note" }, `${page.scanned} verdict change${page.scanned === 1 ? "" : "s"} read from the alert log.`),
  ];
}

// ---- an account ------------------------------------------------------------------------

function scoreChart(history, current) {
  const points = history.filter((a) => typeof a.ts === "number" && typeof a.score === "number")
    .map((a) => [a.ts, a.score]).reverse();
  if (current.since_ts !== null && !points.some((p) => p[0] === current.since_ts)) {
    points.push([current.since_ts, current.score]);
  }
  if (!points.length) return el("p", { class: "empty" }, "No score recorded yet.");
  const [w, h, pad] = [640, 200, 28];
  const t0 = points[0][0], t1 = Math.max(points[points.length - 1][0], t0 + 1);
  const x = (t) => pad + ((t - t0) / (t1 - t0)) * (w - 2 * pad);
  const y = (s) => h - pad - s * (h - 2 * pad);
  let path = "";
  points.forEach(([t, s], i) => { path += (i ? ` H${x(t)} V${y(s)}` : `M${x(t)} ${y(s)}`); });
  path += ` H${w - pad}`;
  const chart = svg("svg", { viewBox: `0 0 ${w} ${h}`, class: "chart", role: "img", "aria-label": "score over time" });
  for (const level of [0, 0.25, 0.5, 0.75, 1]) {
    chart.append(svg("line", { x1: pad, x2: w - pad, y1: y(level), y2: y(level), class: "grid" }),
      svg("text", { x: 2, y: y(level) + 4, class: "axis" }, level));
  }
  chart.append(svg("path", { d: path, class: "score" }));
  for (const [t, s] of points) chart.append(svg("circle", { cx: x(t), cy: y(s), r: 3, class: "point" }, svg("title", {}, `${when(t)}: ${num(s)}`)));
  chart.append(svg("text", { x: pad, y: h - 6, class: "axis" }, when(t0)), svg("text", { x: w - pad, y: h - 6, class: "axis end" }, when(t1)));
  return chart;
}

let familyMap = null; // GET /v1/families, once per page load

function evidence(history) {
  const flag = history.find((a) => a.action !== "allow" && (a.explanation || []).length);
  if (!flag) return el("p", { class: "empty" }, "No detection explanation in the alert log.");
  // An alert or signal may name its family itself; otherwise the reason code says which.
  const family = (s) => s.family || familyMap.reasons[s.signal] || "other";
  const order = (s) => [...familyMap.families, "other"].indexOf(family(s));
  const signals = [...flag.explanation].sort((a, b) => order(a) - order(b) || b.weight - a.weight);
  const families = flag.families || [...new Set(signals.map(family))];
  return el("div", {},
    el("p", {}, `Signals of the flag at ${when(flag.ts)}, by evidence family (${families.join(", ")}):`),
    table(["Family", "Signal", "Log-odds", "Value", "Peers' median", "Peers' p99", "Group"],
      signals.map((s) => [family(s), s.signal, num(s.weight), num(s.value, 4), num(s.peer_median, 4), num(s.peer_p99, 4),
        s.cluster_id ? el("span", {}, el("a", { href: clusterHref(s.cluster_id) }, s.cluster_id),
          ` (${s.members} members${s.group_reasons ? ": " + list(s.group_reasons) : ""})`) : ""]), ""));
}

function links(view) {
  if (!view.linked.length) return el("p", { class: "empty" }, "Shares no instrument with another account.");
  return el("div", {}, view.linked.map((link) => el("div", { class: "link" },
    el("h3", {}, el("a", { href: clusterHref(link.value) }, link.value), link.common ? " (too common to count)" : ""),
    el("p", {}, `${link.kind}: ${link.members} members, ${num(link.requests, 1)} requests in their day windows; `,
      Object.entries(link.shares).map(([k, v]) => `${k} ${num(v)}`).join(", ")),
    el("p", { class: "members" }, "Members: ", link.accounts.map((a) => [el("a", { href: accountHref(a), class: "account" }, a), " "])))));
}

const ACTIONS = [
  ["confirm", "Confirm", "Keep the throttle or block (block if allowed); detection never steps it down."],
  ["dismiss", "Dismiss", "Allow; a flag made only of these reasons is not raised again."],
  ["allowlist", "Allowlist", "Allow; detection never flags this account again."],
  ["clear", "Lift block", "Allow now and forget every override: detection starts afresh."],
];

function actions(accountId, refresh) {
  const note = el("input", { name: "note", maxlength: 2000, placeholder: "note (optional)", size: 40 });
  const result = el("p", { class: "result", role: "status" });
  const buttons = ACTIONS.map(([kind, label, title]) => {
    const button = el("button", { type: "button", "data-kind": kind, title }, label);
    button.addEventListener("click", async () => {
      try {
        const done = await api(`/v1/accounts/${encodeURIComponent(accountId)}/feedback`, {
          method: "POST", headers: { "content-type": "application/json" },
          body: JSON.stringify({ kind, by: store.getItem("analyst"), note: note.value }),
        });
        await refresh(`${label}: now ${done.decision.action}, recorded for ${done.feedback.by} at ${when(done.feedback.at)}.`);
      } catch (error) { result.textContent = String(error.message || error); }
    });
    return button;
  });
  return el("div", { class: "actions" }, buttons, note, result);
}

async function showAccount(accountId, message) {
  const [view, history, families] = await Promise.all([
    api(`/v1/accounts/${encodeURIComponent(accountId)}`),
    api("/v1/alerts?" + new URLSearchParams({ account_id: accountId, limit: 200 })),
    familyMap || api("/v1/families"),
  ]);
  familyMap = families;
  const refresh = async (text) => render(await showAccount(accountId, text));
  return [
    el("h1", {}, "Account ", el("span", { class: "account", id: "account-id" }, view.account_id)),
    el("p", { class: "summary" }, badge(view.action), " ", shadowMark(view.enforced_action !== view.action),
      ` enforced: ${view.enforced_action}; score ${num(view.score)}; since ${when(view.since_ts) || "—"}; `,
      `${view.events} events from ${when(view.first_ts) || "—"} to ${when(view.last_ts) || "—"}; reasons: ${list(view.reasons)}`,
      view.override ? `; override: ${view.override.allowlisted ? "allowlisted" : view.override.pinned ? "confirmed " + view.override.pinned : "dismissed " + list(view.override.dismissed)}` : ""),
    actions(view.account_id, refresh),
    message ? el("p", { class: "message", role: "status" }, message) : null,
    section("Score over time", scoreChart(history.alerts, view)),
    section("Evidence", evidence(history.alerts)),
    section("Linked groups", links(view)),
    section("Windows", table(["Feature", "Value", "Peers' median", "Peers' p99"],
      view.features.map((f) => [f.feature, num(f.value, 4), num(f.peer_median, 4), num(f.peer_p99, 4)]),
      "No window is held for this account.")),
    section("Alert history", table(["When", "Change", "Score", "Reasons", "By"],
      history.alerts.map((a) => [when(a.ts), el("span", {}, a.previous_action || "", " → ", badge(a.action)), num(a.score), list(a.reasons),
        a.source === "feedback" ? `analyst (${a.feedback})` : "detection"]), "No verdict change in the alert log.")),
    section("Analyst actions", table(["When", "Who", "Action", "Change", "Note"],
      view.feedback.map((f) => [when(f.at), f.by, f.kind, `${f.previous_action} → ${f.action}`, f.note]), "None yet.")),
  ];
}

// ---- a cluster -------------------------------------------------------------------------

async function showCluster(clusterId) {
  const view = await api(`/v1/clusters/${encodeURIComponent(clusterId)}`);
  const link = view.link;
  return [
    el("h1", {}, "Cluster ", el("span", { class: "account" }, view.cluster_id)),
    link ? el("p", { class: "summary" }, `${link.kind}: ${link.members} members share this instrument (shown as its hash); `,
      `${num(link.requests, 1)} requests in their day windows`, link.common ? "; too common to count as evidence" : "") :
      el("p", { class: "summary" }, "The group has expired from the link store; its verdict changes remain."),
    link ? section("What the group does", table(["Share of the group's traffic", "Value"],
      Object.entries(link.shares).map(([k, v]) => [k, num(v)]), "")) : null,
    section("Members", table(["Account", "Action", "Score", "Reasons"],
      view.decisions.map((m) => [el("a", { href: accountHref(m.account_id), class: "account" }, m.account_id), badge(m.action), num(m.score), list(m.reasons)]),
      "No member has a decision.")),
    section("Verdict changes it carried", table(["When", "Account", "Action", "Group reasons"],
      view.alerts.map((a) => [when(a.ts), el("a", { href: accountHref(a.account_id), class: "account" }, a.account_id), badge(a.action),
        list(((a.explanation || []).find((s) => s.group_reasons) || {}).group_reasons)]), "None in the alert log.")),
  ];
}

// ---- wiring ----------------------------------------------------------------------------

function render(nodes) {
  $("view").replaceChildren(...nodes.flat().filter((n) => n !== null));
}

function signedIn() {
  const on = Boolean(store.getItem("token"));
  $("sign-in").hidden = on;
  $("nav").hidden = !on;
  $("who").textContent = on ? store.getItem("analyst") : "";
  return on;
}

async function route() {
  if (!signedIn()) return render([]);
  const [path] = location.hash.slice(1).split("?");
  const [, page, id] = path.split("/");
  const hash = location.hash;
  delete document.body.dataset.shown;
  render([el("p", { class: "loading" }, "Loading…")]);
  try {
    if (page === "account") render(await showAccount(decodeURIComponent(id)));
    else if (page === "cluster") render(await showCluster(decodeURIComponent(id)));
    else render(await showQueue());
    if (location.hash === hash) document.body.dataset.shown = hash; // for tests: rendered
  } catch (error) {
    if (error instanceof Unauthorized) {
      store.clear();
      signedIn();
      $("sign-in-error").textContent = "The token was refused: sign in again.";
      return render([]);
    }
    render([el("p", { class: "error", role: "alert" }, String(error.message || error))]);
  }
}

document.addEventListener("DOMContentLoaded", () => {
  $("sign-in").addEventListener("submit", (event) => {
    event.preventDefault();
    store.setItem("token", $("token").value.trim());
    store.setItem("analyst", $("analyst").value.trim());
    $("token").value = "";
    $("sign-in-error").textContent = "";
    route();
  });
  $("sign-out").addEventListener("click", () => { store.clear(); location.hash = "#/"; route(); });
  window.addEventListener("hashchange", route);
  route();
});
