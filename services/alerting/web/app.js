// frontwire live alerts: fetch /api/alerts once, then follow /api/stream (server-sent events).
// No framework and no build step: the list and its filters work without the bundled map and
// timeline (dist/views.js, built from src/), which talk to this script through DOM events.
// Everything from the server is inserted with textContent, never as HTML: alert text and
// source titles come from arbitrary web pages.
"use strict";

(() => {
  const TOKEN_KEY = "frontwire.token";
  const MAX_ALERTS = 500;
  const alerts = new Map(); // alert_id -> entry (latest version)
  const $ = (id) => document.getElementById(id);
  let stream = null;
  let retryTimer = null;
  // Picked on the map (a place) or the timeline (a time span): filters beside the form's.
  const pick = { place: null, span: null };
  let lastViews = null; // what the map and timeline were last sent, for a late-loading bundle

  // The token arrives once as ?token=; keep it for this tab only and drop it from the address
  // bar so it is not bookmarked, shared or kept in history.
  function readToken() {
    const url = new URL(window.location.href);
    const fromUrl = url.searchParams.get("token");
    if (fromUrl) {
      sessionStorage.setItem(TOKEN_KEY, fromUrl);
      url.searchParams.delete("token");
      window.history.replaceState(null, "", url.pathname + url.search + url.hash);
    }
    return sessionStorage.getItem(TOKEN_KEY) || "";
  }
  const token = readToken();

  function setStatus(kind, text) {
    const el = $("conn-status");
    el.className = "conn conn-" + kind;
    el.textContent = text;
  }

  function showBanner(text) {
    const el = $("banner");
    el.textContent = text || "";
    el.hidden = !text;
  }

  async function fetchAlerts() {
    const headers = token ? { Authorization: "Bearer " + token } : {};
    const response = await fetch("api/alerts?limit=" + MAX_ALERTS, { headers });
    if (response.status === 401) {
      throw new Error("unauthorized");
    }
    if (!response.ok) {
      throw new Error("HTTP " + response.status);
    }
    const body = await response.json();
    body.alerts.forEach(upsert);
    render();
  }

  // Keep the newest version: the stream and a refetch may deliver one alert in either order.
  function upsert(entry) {
    const known = alerts.get(entry.alert_id);
    if (known && known.version >= entry.version) {
      return false;
    }
    alerts.set(entry.alert_id, entry);
    return true;
  }

  function connect() {
    if (stream) {
      stream.close();
    }
    const url = "api/stream" + (token ? "?token=" + encodeURIComponent(token) : "");
    stream = new EventSource(url);
    stream.addEventListener("open", () => {
      setStatus("live", "Live");
      // Catch up on anything delivered while we were disconnected.
      fetchAlerts().then(() => showBanner(""), onFetchError);
    });
    stream.addEventListener("alert", (event) => {
      const entry = JSON.parse(event.data);
      if (upsert(entry)) {
        render(entry.alert_id);
      }
    });
    stream.addEventListener("heartbeat", () => setStatus("live", "Live"));
    stream.addEventListener("error", () => {
      if (stream.readyState === EventSource.CLOSED) {
        // The browser gives up on a non-200 answer (e.g. 401): retry ourselves, slowly.
        setStatus("offline", "Offline");
        fetchAlerts().catch(onFetchError); // shows why (e.g. a missing token) and what we have
        clearTimeout(retryTimer);
        retryTimer = setTimeout(connect, 10000);
      } else {
        setStatus("connecting", "Reconnecting…");
      }
    });
  }

  function onFetchError(error) {
    if (String(error.message) === "unauthorized") {
      setStatus("offline", "Unauthorized");
      showBanner("Not authorised: open this page as /?token=<API token>.");
    } else {
      showBanner("Could not load alerts (" + error.message + "). Retrying…");
    }
  }

  // ---- filters ----------------------------------------------------------------------------

  function filters() {
    return {
      severity: $("f-severity").value,
      type: $("f-type").value,
      country: $("f-country").value.trim().toUpperCase(),
      text: $("f-text").value.trim().toLowerCase(),
    };
  }

  function countries(event) {
    const codes = event.actors.filter((a) => a.code).map((a) => a.code.toUpperCase());
    if (event.location && event.location.country) {
      codes.push(event.location.country.toUpperCase());
    }
    return codes;
  }

  function haystack(entry) {
    const e = entry.event;
    const parts = [entry.summary, entry.rule, e.type, e.status, e.sentence];
    e.actors.forEach((a) => parts.push(a.name, a.code || ""));
    if (e.location) parts.push(e.location.name);
    parts.push(...e.attribution, ...e.disputed_by);
    entry.sources.forEach((s) => parts.push(s.title || "", s.publisher || "", s.url));
    return parts.join(" ").toLowerCase();
  }

  function samePlace(location, place) {
    return Boolean(location) && location.name === place.name &&
      (location.country || null) === (place.country || null);
  }

  // `ignore` leaves out one pick, so the view it was made on still shows the alternatives.
  function visible(entry, f, ignore) {
    return (
      (!f.severity || entry.severity === f.severity) &&
      (!f.type || entry.event.type === f.type) &&
      (!f.country || countries(entry.event).includes(f.country)) &&
      (!f.text || haystack(entry).includes(f.text)) &&
      (ignore === "place" || !pick.place || samePlace(entry.event.location, pick.place)) &&
      (ignore === "span" || !pick.span ||
        (entry.alerted >= pick.span.from && entry.alerted < pick.span.to))
    );
  }

  function onPick(detail) {
    if (detail.type !== undefined) $("f-type").value = detail.type;
    if (detail.place !== undefined) pick.place = detail.place;
    if (detail.span !== undefined) pick.span = detail.span;
    render();
  }

  function pickChip(label, clear) {
    const chip = document.createElement("button");
    chip.type = "button";
    chip.className = "pick";
    chip.title = "Remove this filter";
    chip.textContent = label;
    chip.addEventListener("click", () => { clear(); render(); });
    return chip;
  }

  function renderPicks() {
    const chips = [];
    if (pick.place) {
      const where = pick.place.name + (pick.place.country ? ", " + pick.place.country : "");
      chips.push(pickChip("Place: " + where, () => { pick.place = null; }));
    }
    if (pick.span) chips.push(pickChip("Time: " + pick.span.label, () => { pick.span = null; }));
    $("picks").replaceChildren(...chips);
    $("picks").hidden = chips.length === 0;
  }

  function syncTypeOptions() {
    const select = $("f-type");
    const have = new Set(Array.from(select.options, (o) => o.value));
    const types = new Set(Array.from(alerts.values(), (a) => a.event.type));
    Array.from(types)
      .filter((t) => !have.has(t))
      .sort()
      .forEach((t) => select.add(new Option(humanise(t), t)));
  }

  // ---- rendering --------------------------------------------------------------------------

  const numberFormat = new Intl.NumberFormat("en-GB", { maximumFractionDigits: 1 });

  function humanise(slug) {
    const text = String(slug || "").replace(/_/g, " ");
    return text.charAt(0).toUpperCase() + text.slice(1);
  }

  function quantityText(q) {
    if (!q) return "";
    const range = q.min === q.max
      ? numberFormat.format(q.max)
      : numberFormat.format(q.min) + "–" + numberFormat.format(q.max);
    const calibre = q.calibre ? " " + q.calibre : "";
    return (q.approximate ? "≈ " : "") + range + calibre + " " + String(q.unit).replace(/_/g, " ");
  }

  function relativeTime(epochSeconds) {
    const seconds = Math.max(0, Date.now() / 1000 - epochSeconds);
    if (seconds < 60) return "just now";
    if (seconds < 3600) return Math.floor(seconds / 60) + " min ago";
    if (seconds < 86400) return Math.floor(seconds / 3600) + " h ago";
    const iso = new Date(epochSeconds * 1000).toISOString(); // UTC: readers span time zones
    return iso.slice(0, 10) + " " + iso.slice(11, 16) + " UTC";
  }

  function fact(dl, label, value, className) {
    if (!value) return;
    const dt = document.createElement("dt");
    dt.textContent = label;
    const dd = document.createElement("dd");
    dd.textContent = value;
    if (className) dd.className = className;
    dl.append(dt, dd);
  }

  function safeHref(url) {
    try {
      const parsed = new URL(url);
      return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
    } catch (_) {
      return null;
    }
  }

  function sourceItem(source) {
    const li = document.createElement("li");
    const href = safeHref(source.url);
    const link = document.createElement(href ? "a" : "span");
    link.className = "source-link";
    if (href) {
      link.href = href;
      link.target = "_blank";
      link.rel = "noopener noreferrer";
    }
    link.textContent = source.title || source.url;
    const publisher = document.createElement("span");
    publisher.className = "publisher";
    publisher.textContent = source.publisher || hostOf(source.url);
    li.append(publisher, link);
    return li;
  }

  function hostOf(url) {
    try {
      return new URL(url).hostname.replace(/^www\./, "");
    } catch (_) {
      return "";
    }
  }

  function card(entry) {
    const node = $("alert-template").content.firstElementChild.cloneNode(true);
    const e = entry.event;
    node.dataset.alertId = entry.alert_id;
    node.dataset.severity = entry.severity;
    node.classList.add("sev-" + entry.severity);
    node.querySelector(".badge").textContent = entry.severity;
    node.querySelector(".type").textContent = humanise(e.type);
    node.querySelector(".status").textContent = humanise(e.status);
    const sources = entry.sources.length;
    node.querySelector(".versions").textContent =
      "v" + entry.version + " · " + sources + (sources === 1 ? " source" : " sources");
    const when = node.querySelector(".when");
    when.dateTime = new Date(entry.alerted * 1000).toISOString();
    when.dataset.epoch = String(entry.alerted);
    when.textContent = relativeTime(entry.alerted);
    when.title = when.dateTime.replace("T", " ").slice(0, 19) + " UTC";
    node.querySelector(".summary").textContent = entry.summary;
    const dl = node.querySelector(".facts");
    const actors = e.actors.map((a) => a.name + (a.code ? " (" + a.code + ")" : "") + " · " + a.role);
    fact(dl, "Actors", actors.join("; "));
    fact(dl, "Quantity", quantityText(e.quantity));
    fact(dl, "Location", e.location
      ? e.location.name + (e.location.country ? ", " + e.location.country : "") : "");
    fact(dl, "According to", e.attribution.join(", citing "));
    fact(dl, "Disputed by", e.disputed_by.join(", "), "disputed");
    const list = node.querySelector(".source-list");
    entry.sources.forEach((s) => list.append(sourceItem(s)));
    node.querySelector(".rule").textContent = "rule " + entry.rule + " · id " + entry.alert_id;
    return node;
  }

  function render(flashId) {
    syncTypeOptions();
    renderPicks();
    const f = filters();
    const sorted = Array.from(alerts.values()).sort((a, b) => b.alerted - a.alerted);
    sorted.slice(MAX_ALERTS).forEach((old) => alerts.delete(old.alert_id));
    const kept = sorted.slice(0, MAX_ALERTS);
    const shown = kept.filter((entry) => visible(entry, f));
    const list = $("alerts");
    const fragment = document.createDocumentFragment();
    shown.forEach((entry) => {
      const node = card(entry);
      if (entry.alert_id === flashId) node.classList.add("flash");
      fragment.append(node);
    });
    list.replaceChildren(fragment);
    $("empty").hidden = shown.length > 0;
    $("count").textContent = shown.length + " of " + alerts.size + " alerts";
    lastViews = {
      forMap: kept.filter((entry) => visible(entry, f, "place")),
      forTimeline: kept.filter((entry) => visible(entry, f, "span")),
      pick: { place: pick.place, span: pick.span },
      type: f.type,
    };
    sendViews(flashId);
  }

  // The map and timeline (dist/views.js) draw what they are sent; absent, nobody listens.
  function sendViews(freshId) {
    if (lastViews) {
      const detail = Object.assign({ freshId: freshId || null }, lastViews);
      document.dispatchEvent(new CustomEvent("frontwire:alerts", { detail }));
    }
  }

  function refreshTimes() {
    document.querySelectorAll("time.when").forEach((el) => {
      el.textContent = relativeTime(Number(el.dataset.epoch));
    });
  }

  function init() {
    const form = $("filters");
    form.addEventListener("input", () => render());
    form.addEventListener("change", () => render()); // selects may only fire "change"
    form.addEventListener("submit", (event) => event.preventDefault());
    form.addEventListener("reset", () => {
      pick.place = null;
      pick.span = null;
      setTimeout(() => render(), 0);
    });
    document.addEventListener("frontwire:pick", (event) => onPick(event.detail));
    document.addEventListener("frontwire:views-ready", () => sendViews());
    setInterval(refreshTimes, 30000);
    render();
    connect();
  }

  init();
})();
