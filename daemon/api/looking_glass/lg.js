// The routefabric looking glass: a read-only page over the REST API (docs/api.md), served by routefabricd
// from its API port and compiled into it. No library, no asset from elsewhere.
//
// Views are addressed by the URL fragment so that a link can be shared: #view=peers, #peer=NAME&routes=
// learned|advertised&filter=PREFIX, #prefix=10.1.0.0/24, #vm=NAME, #view=convergence. A token given as
// #token=... is moved into sessionStorage (this tab only) and taken out of the address; it is never put
// in a query string, where it would reach logs.
//
// Everything shown that comes from the API (peer names, AS paths, communities, reasons) is inserted as
// text nodes (el() below), never as HTML.
"use strict";

(function () {
  const TOKEN_KEY = "routefabric.lg.token";
  const $ = (id) => document.getElementById(id);

  // ------------------------------------------------------------------ DOM helpers (text only, never HTML)

  // el("td", {class: "num"}, "text", childNode, ...): strings and numbers become text nodes.
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v !== undefined && v !== null && v !== false) {
        node.setAttribute(k, String(v));
      }
    }
    for (const c of children.flat(Infinity)) {
      if (c === undefined || c === null || c === false) {
        continue;
      }
      node.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return node;
  }
  const SVG_NS = "http://www.w3.org/2000/svg";
  function svg(tag, attrs, ...children) {
    const node = document.createElementNS(SVG_NS, tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      node.setAttribute(k, String(v));
    }
    for (const c of children.flat(Infinity)) {
      node.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return node;
  }
  function table(headers, rows, attrs) {
    return el("table", attrs, el("thead", {}, el("tr", {}, headers.map((h) => el("th", {}, h)))),
              el("tbody", {}, rows));
  }
  function fill(container, state, ...children) {
    container.replaceChildren(...children.flat().filter((c) => c));
    container.dataset.state = state;
  }
  function link(fragment, text) {
    return el("a", {href: "#" + fragment}, text);
  }

  // ------------------------------------------------------------------ the fragment and the token

  function fragmentParams() {
    return new URLSearchParams(location.hash.replace(/^#/, ""));
  }
  function fragmentOf(params) {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) {
      if (v !== undefined && v !== "") {
        p.set(k, v);
      }
    }
    return p.toString().replace(/%2F/gi, "/");
  }
  function token() {
    return sessionStorage.getItem(TOKEN_KEY) || "";
  }
  function showTokenState() {
    $("token-state").textContent = token() ? "token set for this tab" : "no token";
  }
  // A token in the fragment goes to sessionStorage and out of the address bar and history.
  function takeTokenFromFragment() {
    const params = fragmentParams();
    if (!params.has("token")) {
      return;
    }
    sessionStorage.setItem(TOKEN_KEY, params.get("token"));
    params.delete("token");
    history.replaceState(null, "", location.pathname + (params.toString() ? "#" + params.toString() : ""));
  }

  // ------------------------------------------------------------------ the API

  class ApiError extends Error {
    constructor(status, code, message) {
      super(message);
      this.status = status;
      this.code = code;
    }
  }

  async function api(path) {
    const headers = {Accept: "application/json"};
    if (token()) {
      headers.Authorization = "Bearer " + token();
    }
    let response;
    try {
      response = await fetch(path, {headers, cache: "no-store", credentials: "omit"});
    } catch (e) {
      throw new ApiError(0, "Unreachable", "routefabricd did not answer (" + e.message + ")");
    }
    let body = null;
    try {
      body = await response.json();
    } catch (e) {
      body = null;
    }
    if (!response.ok) {
      const err = body && body.error ? body.error : {};
      throw new ApiError(response.status, err.code || String(response.status),
                         err.message || response.statusText);
    }
    return body;
  }

  function showError(e) {
    const box = $("error");
    if (!e) {
      box.hidden = true;
      box.replaceChildren();
      return;
    }
    const what = e instanceof ApiError ? e.status + " " + e.code + ": " + e.message : String(e);
    box.replaceChildren(el("strong", {}, "Error "), document.createTextNode(what));
    if (e instanceof ApiError && e.status === 401) {
      box.appendChild(el("p", {}, "This route server needs its API token: enter api.token above."));
      $("token-input").focus();
    }
    box.dataset.status = e instanceof ApiError ? String(e.status) : "";
    box.hidden = false;
  }

  // Runs a view's loader; an API error is shown at the top and in the view's container.
  async function load(container, loader) {
    container.dataset.state = "loading";
    try {
      await loader();
      showError(null);
    } catch (e) {
      showError(e);
      fill(container, "error", el("p", {class: "muted"}, "Not available: " + e.message));
    }
  }

  // ------------------------------------------------------------------ prefixes (for the route search)

  function parseIpv4(text) {
    const parts = text.split(".");
    if (parts.length !== 4) {
      return null;
    }
    let v = 0n;
    for (const p of parts) {
      if (!/^\d{1,3}$/.test(p) || Number(p) > 255) {
        return null;
      }
      v = (v << 8n) | BigInt(p);
    }
    return {bits: 32, value: v};
  }
  function parseIpv6(text) {
    if (!/^[0-9a-fA-F:.]+$/.test(text) || text.split("::").length > 2) {
      return null;
    }
    let groups = [];
    const [head, tail] = text.includes("::") ? text.split("::") : [text, null];
    const part = (s) => (s === "" ? [] : s.split(":"));
    let h = part(head);
    let t = tail === null ? [] : part(tail);
    const last = (tail === null ? h : t);
    if (last.length && last[last.length - 1].includes(".")) {  // a trailing IPv4 (::ffff:1.2.3.4)
      const v4 = parseIpv4(last.pop());
      if (!v4) {
        return null;
      }
      last.push((v4.value >> 16n).toString(16), (v4.value & 0xffffn).toString(16));
    }
    const missing = 8 - h.length - t.length;
    if (tail === null ? missing !== 0 : missing < 1) {
      return null;
    }
    groups = h.concat(Array(tail === null ? 0 : missing).fill("0"), t);
    let v = 0n;
    for (const g of groups) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) {
        return null;
      }
      v = (v << 16n) | BigInt("0x" + g);
    }
    return {bits: 128, value: v};
  }
  function parseAddress(text) {
    return text.includes(":") ? parseIpv6(text) : parseIpv4(text);
  }
  // "10.1.0.0/16" → {bits, value, length}; a bare address is its host route, marked `address`.
  function parsePrefix(text) {
    const [a, len] = text.trim().split("/");
    const addr = parseAddress(a || "");
    if (!addr) {
      return null;
    }
    if (len === undefined) {
      return {...addr, length: addr.bits, address: true};
    }
    if (!/^\d{1,3}$/.test(len) || Number(len) > addr.bits) {
      return null;
    }
    return {...addr, length: Number(len), address: false};
  }
  function covers(outer, inner) {  // outer contains inner (same family, shorter or equal length)
    if (outer.bits !== inner.bits || outer.length > inner.length) {
      return false;
    }
    const shift = BigInt(outer.bits - outer.length);
    return (outer.value >> shift) === (inner.value >> shift);
  }
  // Does a route's network answer the search? A prefix: that prefix and its more specifics; an address:
  // every route containing it; anything else: a substring of the network.
  function matcher(search) {
    const text = (search || "").trim();
    if (!text) {
      return () => true;
    }
    const q = parsePrefix(text);
    if (!q) {
      return (network) => network.includes(text);
    }
    return (network) => {
      const n = parsePrefix(network);
      return n !== null && (q.address ? covers(n, q) : covers(q, n));
    };
  }

  // ------------------------------------------------------------------ views

  let peeringNames = [];

  async function showInfo() {
    try {
      const i = await api("/api/v1/routeserver");
      $("rs-info").textContent = "AS" + i.asn + ", router id " + i.routerId + ", listening on " +
          i.listenAddresses.join(", ") + " port " + i.port + "; " + i.peers + " peer(s), " +
          i.establishedSessions + " session(s) established, " + i.locRibPrefixes +
          " Loc-RIB prefix(es); up " + duration(i.uptimeSeconds) + "; routefabricd " + i.version;
    } catch (e) {
      $("rs-info").textContent = "";
    }
  }
  function duration(s) {
    const d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
    return (d ? d + "d " : "") + (d || h ? h + "h " : "") + m + "m " + (s % 60) + "s";
  }

  async function viewPeers() {
    const box = $("peers");
    await load(box, async () => {
      const list = (await api("/api/v1/peerings")).value;
      peeringNames = list.map((p) => p.name);
      const rows = list.map((p) => el("tr", {"data-peer": p.name},
          el("td", {}, p.name),
          el("td", {}, p.peerIp),
          el("td", {class: "num"}, p.peerAsn),
          el("td", {class: "state state-" + p.state}, p.state),
          el("td", {class: "num"}, p.routesReceived),
          el("td", {class: "num"}, p.routeLimit ? p.routeLimit : "unlimited"),
          el("td", {}, p.sessions.map((s) => el("div", {class: "session"},
              s.localAddress + ": ", el("span", {class: "state-" + s.state}, s.state),
              s.lastReason ? el("span", {class: "muted"}, " (" + s.lastReason + ")") : null))),
          el("td", {}, link(fragmentOf({peer: p.name, routes: "learned"}), "learned"), " · ",
             link(fragmentOf({peer: p.name, routes: "advertised"}), "advertised"))));
      fill(box, "loaded", list.length
          ? table(["Name", "Peer IP", "ASN", "State", "Routes", "Route limit", "Sessions", "Show routes"], rows,
                  {id: "peers-table"})
          : el("p", {}, "No peerings configured."));
    });
  }

  async function viewRoutes(peer, kind, filter) {
    const box = $("routes");
    const select = $("routes-peer");
    await load(box, async () => {
      if (!peeringNames.length) {
        peeringNames = (await api("/api/v1/peerings")).value.map((p) => p.name);
      }
      select.replaceChildren(...peeringNames.map((n) => el("option", {value: n}, n)));
      if (!peer) {
        peer = peeringNames[0];
      }
      if (!peer) {
        fill(box, "loaded", el("p", {}, "No peerings configured."));
        return;
      }
      select.value = peer;
      $("routes-kind").value = kind;
      $("routes-filter").value = filter || "";
      const byInstance = await api("/api/v1/peerings/" + encodeURIComponent(peer) + "/" + kind + "-routes");
      const match = matcher(filter);
      const rows = [];
      let total = 0;
      for (const [instance, routes] of Object.entries(byInstance)) {
        for (const r of routes) {
          ++total;
          if (match(r.network)) {
            rows.push(el("tr", {"data-network": r.network},
                el("td", {}, link(fragmentOf({prefix: r.network}), r.network)),
                el("td", {}, r.nextHop),
                el("td", {}, r.asPath || "(empty)"),
                el("td", {}, r.origin),
                el("td", {}, r.sourcePeer),
                el("td", {}, r.localAddress || instance)));
          }
        }
      }
      fill(box, "loaded",
           el("p", {class: "muted"}, rows.length + " of " + total + " " + kind + " route(s) of " + peer +
              (filter ? " matching " + filter : "")),
           rows.length ? table(["Network", "Next hop", "AS path", "Origin", "Source peer", "Instance"], rows,
                               {id: "routes-table"})
                       : null);
    });
  }

  const STEP_TEXT = {
    AsPathLength: "shorter AS path",
    Origin: "lower ORIGIN (IGP < EGP < INCOMPLETE)",
    PeerBgpId: "lower BGP identifier of the advertising peer",
    PeerAddress: "lower peer address",
    LowestPeerId: "lower session (the same NVA on both route-server instances)",
    PathId: "lower ADD-PATH path identifier",
  };
  function stepText(step) {
    return STEP_TEXT[step] || step;
  }
  // Why a path ranks where it does, from the API's decidedBy (against the best) and ecmpStatus.
  function why(p, best, count) {
    if (p.best) {
      return count === 1 ? "the only path" : "best path";
    }
    const against = p.decidedBy ? "ranked after the best by " + stepText(p.decidedBy) : "";
    switch (p.ecmpStatus) {
      case "Member":
        return "equal cost: AS path as short as the best (" + best.asPathLength + "), in the ECMP set; " +
            against;
      case "LongerAsPath":
        return "not equal cost: AS path length " + p.asPathLength + " > " + best.asPathLength + " of the best";
      case "SameNeighbor":
        return "as short as the best, but a better path of the same neighbor is in the ECMP set; " + against;
      case "PathLimit":
        return "as short as the best, but the ECMP set is full (route_server max ECMP paths); " + against;
      default:
        return p.ecmp ? "in the ECMP set" : "not in the ECMP set";
    }
  }

  async function viewPrefix(prefix) {
    const box = $("prefix");
    $("prefix-input").value = prefix || "";
    if (!prefix) {
      fill(box, "empty", el("p", {class: "muted"}, "Enter a prefix, e.g. 10.1.0.0/24."));
      return;
    }
    await load(box, async () => {
      const e = await api("/api/v1/rib/" + encodeURIComponent(prefix.trim()));
      const best = e.paths[0];
      const rows = e.paths.map((p, i) => el("tr", {class: (p.best ? "best " : "") + (p.ecmp ? "ecmp" : ""),
                                                  "data-peer": p.peer},
          el("td", {class: "num"}, i + 1),
          el("td", {}, p.best ? el("span", {class: "badge best"}, "best") : null, " ",
             p.ecmp ? el("span", {class: "badge ecmp"}, "ECMP") : null),
          el("td", {}, p.peer),
          el("td", {}, p.peerAddress),
          el("td", {}, p.peerBgpId || ""),
          el("td", {}, p.nextHops.join(", ")),
          el("td", {}, (p.asPath || "(empty)") + " (" + p.asPathLength + ")"),
          el("td", {}, p.origin),
          el("td", {}, p.communities.join(" ")),
          el("td", {class: "why"}, why(p, best, e.paths.length))));
      fill(box, "loaded",
           el("p", {class: "ecmp-set", id: "ecmp-set"}, "ECMP set of ", el("strong", {}, e.prefix), ": ",
              e.ecmpNextHops.length ? e.ecmpNextHops.map((nh, i) => [i ? ", " : "", el("code", {}, nh)])
                                    : "no next hop",
              " (" + e.ecmpNextHops.length + " next hop" + (e.ecmpNextHops.length === 1 ? "" : "s") + ")"),
           el("p", {id: "decided-by"}, e.paths.length > 1
               ? "Between the first two paths the decision was made by: " + stepText(e.decidedBy) + " (" +
                     e.decidedBy + "). The ECMP set holds the paths with the shortest AS path, one per " +
                     "neighbor."
               : "One path: nothing to decide."),
           table(["#", "", "Peer", "Peer address", "BGP ID", "Next hops", "AS path (length)", "Origin",
                  "Communities", "Why"], rows, {id: "paths-table"}));
    });
  }

  async function viewVm(vm) {
    const box = $("vm");
    $("vm-input").value = vm || "";
    if (!vm) {
      fill(box, "empty", el("p", {class: "muted"}, "Enter a VM name."));
      return;
    }
    await load(box, async () => {
      const t = await api("/api/v1/vms/" + encodeURIComponent(vm.trim()) + "/effective-routes");
      const rows = t.value.map((r) => el("tr", {class: "state-" + r.state},
          el("td", {}, r.source),
          el("td", {}, r.state),
          el("td", {}, r.addressPrefix.map((p, i) => [i ? ", " : "", link(fragmentOf({prefix: p}), p)])),
          el("td", {}, r.nextHopType),
          el("td", {}, r.nextHopIpAddress.join(", ")),
          el("td", {class: "muted"}, r.reason || "")));
      fill(box, "loaded", el("p", {}, "Effective routes of ", el("strong", {}, t.name), ", table ", t.table),
           table(["Source", "State", "Address prefix", "Next hop type", "Next hop IP", "Reason"], rows,
                 {id: "vm-table"}));
    });
  }

  // The convergence history as an SVG plot: one point per measurement in order (x), its seconds (y);
  // measurements that did not complete (a host never converged) are red marks at the top.
  function plot(events) {
    const W = 720, H = 260, L = 60, R = 16, T = 16, B = 36;
    const done = events.filter((e) => e.complete);
    const maxMs = Math.max(1e-3, ...done.map((e) => e.seconds * 1000)) * 1.1;
    const x = (i) => L + (events.length > 1 ? (i * (W - L - R)) / (events.length - 1) : (W - L - R) / 2);
    const y = (ms) => H - B - (ms / maxMs) * (H - T - B);
    const parts = [];
    for (let k = 0; k <= 4; ++k) {
      const ms = (maxMs * k) / 4;
      parts.push(svg("line", {class: "grid", x1: L, x2: W - R, y1: y(ms), y2: y(ms)}),
                 svg("text", {x: L - 6, y: y(ms) + 4, "text-anchor": "end"}, ms.toFixed(ms < 10 ? 2 : 0)));
    }
    parts.push(svg("line", {class: "axis", x1: L, x2: L, y1: T, y2: H - B}),
               svg("line", {class: "axis", x1: L, x2: W - R, y1: H - B, y2: H - B}),
               svg("text", {x: 14, y: T + (H - T - B) / 2, transform: "rotate(-90 14 " + (T + (H - T - B) / 2) + ")",
                            "text-anchor": "middle"}, "milliseconds"),
               svg("text", {x: L + (W - L - R) / 2, y: H - 6, "text-anchor": "middle"},
                   "measurement (oldest left, newest right)"));
    let d = "";
    events.forEach((e, i) => {
      if (e.complete) {
        d += (d ? " L" : "M") + x(i).toFixed(1) + " " + y(e.seconds * 1000).toFixed(1);
      }
    });
    if (d) {
      parts.push(svg("path", {class: "series", d}));
    }
    events.forEach((e, i) => {
      const label = e.time + " " + e.change + ": " +
          (e.complete ? (e.seconds * 1000).toFixed(3) + " ms" : "incomplete") + ", " + e.hostsConverged +
          "/" + e.hosts + " hosts";
      if (e.complete) {
        parts.push(svg("circle", {class: "point", cx: x(i), cy: y(e.seconds * 1000), r: 3}, svg("title", {}, label)));
      } else {
        parts.push(svg("path", {class: "incomplete", d: "M" + (x(i) - 4) + " " + (T - 4) + " l8 8 m0 -8 l-8 8"},
                       svg("title", {}, label)));
      }
    });
    return svg("svg", {class: "plot", id: "convergence-plot", viewBox: "0 0 " + W + " " + H, width: W,
                       height: H, role: "img", "aria-label": "convergence time per measurement"}, parts);
  }

  async function viewConvergence() {
    const box = $("convergence");
    await load(box, async () => {
      const h = await api("/api/v1/emulator/convergence");
      const ev = h.events;
      if (!ev.length) {
        fill(box, "loaded", el("p", {}, "No convergence measured yet: it is measured for each route change " +
                                            "while the emulator runs."));
        return;
      }
      const done = ev.filter((e) => e.complete).map((e) => e.seconds * 1000).sort((a, b) => a - b);
      const pct = (p) => done.length ? done[Math.min(done.length - 1, Math.ceil((p / 100) * done.length) - 1)] : 0;
      const recent = ev.slice(-20).reverse().map((e) => el("tr", {},
          el("td", {}, e.time),
          el("td", {}, e.change),
          el("td", {class: "num"}, e.complete ? (e.seconds * 1000).toFixed(3) : "incomplete"),
          el("td", {class: "num"}, e.hostsConverged + "/" + e.hosts),
          el("td", {}, e.nextHopDown ? "next hop down" : "route change")));
      fill(box, "loaded",
           el("p", {id: "convergence-summary"}, ev.length + " measurement(s) shown (" + h.recorded +
              " since start, the last " + h.capacity + " kept); complete: " + done.length +
              (done.length ? ", p50 " + pct(50).toFixed(3) + " ms, p99 " + pct(99).toFixed(3) + " ms, max " +
                                 done[done.length - 1].toFixed(3) + " ms" : "")),
           plot(ev),
           el("h3", {}, "Latest"),
           table(["Time (UTC)", "Change", "Milliseconds", "Hosts converged", "Cause"], recent,
                 {id: "convergence-table"}));
    });
  }

  // ------------------------------------------------------------------ routing by fragment

  function show(view) {
    for (const s of document.querySelectorAll("section.view")) {
      s.hidden = s.id !== "view-" + view;
    }
    for (const a of document.querySelectorAll("nav a")) {
      a.classList.toggle("active", a.dataset.view === view);
    }
    document.body.dataset.view = view;
  }

  async function route() {
    takeTokenFromFragment();
    showTokenState();
    const p = fragmentParams();
    let view = p.get("view") || "peers";
    if (p.has("prefix")) {
      view = "prefix";
    } else if (p.has("vm")) {
      view = "vm";
    } else if (p.has("peer") || p.has("routes")) {
      view = "routes";
    }
    show(view);
    document.body.dataset.ready = "";
    const info = showInfo();
    if (view === "peers") {
      await viewPeers();
    } else if (view === "routes") {
      await viewRoutes(p.get("peer"), p.get("routes") === "advertised" ? "advertised" : "learned",
                       p.get("filter"));
    } else if (view === "prefix") {
      await viewPrefix(p.get("prefix"));
    } else if (view === "vm") {
      await viewVm(p.get("vm"));
    } else if (view === "convergence") {
      await viewConvergence();
    }
    await info;
    document.body.dataset.ready = "1";  // the view is drawn (tests wait for this)
  }

  function go(params) {
    location.hash = fragmentOf(params);  // hashchange → route()
  }

  $("routes-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    go({peer: $("routes-peer").value, routes: $("routes-kind").value, filter: $("routes-filter").value.trim()});
  });
  $("prefix-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    go({prefix: $("prefix-input").value.trim()});
  });
  $("vm-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    go({vm: $("vm-input").value.trim()});
  });
  $("token-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const t = $("token-input").value.trim();
    if (t) {
      sessionStorage.setItem(TOKEN_KEY, t);
    }
    $("token-input").value = "";
    route();
  });
  $("token-forget").addEventListener("click", () => {
    sessionStorage.removeItem(TOKEN_KEY);
    route();
  });
  window.addEventListener("hashchange", route);
  route();
})();
