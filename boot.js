// Starts the web app. The page names the files on this module's <script> tag (Trunk's
// pattern_script in dev, `cargo xtask` in release), so the Content Security Policy needs no
// inline script.

// A shared invoice link: ask the service for the invoice now, while the app downloads,
// rather than once it has started (on a slow phone that is a round trip and the request's
// time sooner). The app takes the answer (src/api/head_start.rs) only when it is for the
// same address, login and invoice, fresh, and a clean success; otherwise it asks itself.
// A guest of the service that served this page needs no request at all: the reference
// service puts a guest's answer for the invoice in the page (server/src/shared_link.rs).
const shared = /^\/invoice\/([1-9][0-9]{0,19})$/.exec(location.pathname);
if (shared && BigInt(shared[1]) < 2n ** 64n) {
  try {
    const stored = (key) => (localStorage.getItem(key) || "").trim();
    const base = stored("schet.endpoint").replace(/\/+$/, "") || location.origin;
    const token = stored("schet.token");
    const id = BigInt(shared[1]);
    // GetInvoiceByIdRequest { InvoiceId = 1 (varint) } in one gRPC-web frame.
    const message = [0x08];
    for (let v = id; ; v >>= 7n) {
      if (v < 0x80n) {
        message.push(Number(v));
        break;
      }
      message.push(Number(v & 0x7fn) | 0x80);
    }
    const body = new Uint8Array(5 + message.length);
    new DataView(body.buffer).setUint32(1, message.length);
    body.set(message, 5);
    const headers = { "content-type": "application/grpc-web+proto", "x-grpc-web": "1" };
    if (token) headers.authorization = `Bearer ${token}`;
    // The guest's answer, when the page carries one for this invoice from this service
    // (`<id> <base64 of the gRPC-web reply body>`): a guest's whole answer; for someone
    // logged in, what the page shows until their own answer (which may say more) arrives.
    const [number, carried] = (document.querySelector('meta[name="schet-head-start"]')?.content || "").split(" ");
    const inPage = base === location.origin && number === shared[1] && carried
      ? Uint8Array.from(atob(carried), (c) => c.charCodeAt(0))
      : null;
    window.__schetHeadStart = {
      key: `${base}|${token}|${id}`,
      at: performance.now(),
      provisional: token ? inPage : null,
      answer: inPage && !token
        ? Promise.resolve({ status: null, body: inPage })
        : fetch(`${base}/CoreSchema.V1.TradeApi/GetInvoiceById`, { method: "POST", headers, body })
            .then(async (r) => (r.ok ? { status: r.headers.get("grpc-status"), body: new Uint8Array(await r.arrayBuffer()) } : null))
            .catch(() => null),
    };
  } catch {
    // No storage (a locked-down browser) or a token no header can carry: the app asks itself.
  }
}

// A reader of Russian (the saved language, else the browser's, as src/settings.rs decides):
// the release build's module of the Russian texts (data-schet-ru), fetched now, alongside
// the app, which loads it before its first paint (src/i18n/languages.rs). A reader of
// English never downloads it.
{
  let saved = null;
  try {
    saved = localStorage.getItem("schet.lang");
  } catch {
    // No storage: the browser's language decides.
  }
  const lang = saved === "en" || saved === "ru" ? saved : (navigator.language || "").toLowerCase();
  const paths = document.querySelector("script[data-schet-js]")?.dataset.schetRu || "";
  if (lang.startsWith("ru")) {
    for (const path of paths.split(" ").filter(Boolean)) {
      fetch(path).then((r) => r.arrayBuffer()).catch(() => {});
    }
  }
}

// The moment for what the first view does without: the first screen shows its data (nothing
// on the page is aria-busy) and the browser is idle. The release build's lazy module is
// fetched then, not sooner, so that the first screen never shares the line with it: below,
// and by the app itself (src/lazy.rs waits for this promise; without it, as in the browser
// tests, the app does not wait).
window.__schetSettled = new Promise((resolve) => {
  const settled = () =>
    document.querySelector("main > *") !== null && document.querySelector('[aria-busy="true"]') === null;
  const whenIdle = () => ("requestIdleCallback" in window ? requestIdleCallback(() => resolve()) : setTimeout(resolve));
  const observer = new MutationObserver(() => {
    if (settled()) {
      observer.disconnect();
      whenIdle();
    }
  });
  observer.observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ["aria-busy"] });
});

// The release build bundles the app's glue with this module and leaves its start here;
// Trunk's dev build names the glue on the tag.
const tag = document.querySelector("script[data-schet-js]");
const init = globalThis.__schetInit ?? (await import(tag.dataset.schetJs)).default;
await init({ module_or_path: tag.dataset.schetWasm });

// The release build splits the app: every screen but the shared invoice loads on first use.
// Once the first view has settled (above), fetch the other screens' modules into the HTTP
// cache (they are served immutable), one at a time at low priority, so that later
// navigation waits on no network.
const lazy = (tag.dataset.schetPrefetch || "").split(" ").filter(Boolean);
if (lazy.length > 0) {
  const loaded = () => new Set(performance.getEntriesByType("resource").map((e) => new URL(e.name).pathname));
  const prefetch = async () => {
    const have = loaded();
    for (const path of lazy) {
      if (have.has(path)) continue;
      try {
        const response = await fetch(path, { priority: "low" });
        await response.arrayBuffer();
      } catch {
        return; // offline or going away: the screens load on demand anyway
      }
    }
  };
  window.__schetSettled.then(prefetch);
}
