// Starts the web app. The page names the files on this module's <script> tag (Trunk's
// pattern_script in dev, `cargo xtask` in release), so the Content Security Policy needs no
// inline script.
const tag = document.querySelector("script[data-schet-js]");
const { default: init } = await import(tag.dataset.schetJs);
await init({ module_or_path: tag.dataset.schetWasm });

// The release build splits the app: every screen but the shared invoice loads on first use.
// Once the first screen shows its data (nothing on the page is aria-busy) and the browser is
// idle, fetch the other screens' modules into the HTTP cache (they are served immutable),
// one at a time at low priority, so that later navigation waits on no network and the first
// screen never shares the line with them.
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
  const settled = () =>
    document.querySelector("main > *") !== null && document.querySelector('[aria-busy="true"]') === null;
  const whenIdle = () => ("requestIdleCallback" in window ? requestIdleCallback(prefetch) : setTimeout(prefetch));
  if (settled()) {
    whenIdle();
  } else {
    const observer = new MutationObserver(() => {
      if (settled()) {
        observer.disconnect();
        whenIdle();
      }
    });
    observer.observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ["aria-busy"] });
  }
}
