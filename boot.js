// Starts the web app. Trunk's pattern_script (Trunk.toml) puts this external module in
// place of an inline script, with the hashed file names as data attributes.
const tag = document.querySelector("script[data-schet-js]");
const { default: init } = await import(tag.dataset.schetJs);
await init({ module_or_path: tag.dataset.schetWasm });
