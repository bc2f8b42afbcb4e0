//! The shared link on a slow phone, and what Chromium transferred.
//!
//! * Measured twice, each in a fresh browser profile: as a guest (the buyer a link was shared
//!   with; the page carries the invoice, see server/src/shared_link.rs) and logged in as the
//!   demo seller (a token in localStorage; boot.js asks for the invoice while the app loads).
//! * A static HTML page of the same invoice from the same server: the app's rendered page
//!   (scripts and preload hints stripped, same stylesheet), saved beside the app's files.
//! * Each page is loaded `runs` times with cold caches (HTTP cache emptied) and `runs` times
//!   warm, app and static page in turn, on the slow phone: 1.6 Mbit/s down, 750 kbit/s up,
//!   150 ms round trip, CPU 4× slower. The time is from navigation start to the invoice's
//!   price in the page (`smoke::PRICE_OBSERVER`); medians and their ratio are printed.
//! * Bytes come from Chromium's network log (bytes on the wire, headers included): for the
//!   first view, every file that had loaded when the price showed; for the whole app, the
//!   invoice link and then every screen visited inside the app, after the idle prefetch.

use super::{Args, FIRST_VIEW_BUDGET, WHOLE_APP_BUDGET, against, kb};
use crate::browser::{Request, Session};
use crate::proc::step;
use crate::proc::{LiveServer, TempDir};
use crate::smoke::{self, LAZY_SCREENS, PRICE_OBSERVER, PRICE_SEEN};
use crate::tools::Chrome;
use anyhow::{Context, Result, bail};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

const LOAD_TIMEOUT: Duration = Duration::from_secs(120);

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Kind {
    Html,
    Css,
    Js,
    Wasm,
    Api,
    Other,
}

fn kind(r: &Request) -> Kind {
    let path = r.url.split(['?', '#']).next().unwrap_or_default();
    if path.contains("/CoreSchema.V1.TradeApi/") || path.contains("/v2/") {
        Kind::Api
    } else if path.ends_with(".wasm") {
        Kind::Wasm
    } else if path.ends_with(".js") {
        Kind::Js
    } else if path.ends_with(".css") {
        Kind::Css
    } else if path.ends_with("/favicon.ico") {
        // No favicon: the server answers with index.html (client-side routes), which the
        // browser then drops. Not part of the app.
        Kind::Other
    } else if r.mime == "text/html" {
        Kind::Html
    } else {
        Kind::Other
    }
}

/// Bytes by kind.
#[derive(Default)]
struct Bytes(BTreeMap<Kind, u64>);

impl Bytes {
    fn of<'a>(requests: impl IntoIterator<Item = &'a Request>) -> Bytes {
        let mut b = Bytes::default();
        for r in requests {
            *b.0.entry(kind(r)).or_default() += r.transferred.unwrap_or(0);
        }
        b
    }

    /// HTML + CSS + JS + wasm: what the budgets count.
    fn code(&self) -> u64 {
        [Kind::Html, Kind::Css, Kind::Js, Kind::Wasm].iter().map(|k| self.0.get(k).copied().unwrap_or(0)).sum()
    }

    fn describe(&self) -> String {
        self.0.iter().map(|(k, v)| format!("{k:?} {}", kb(*v))).collect::<Vec<_>>().join(", ")
    }
}

struct Load {
    ms: f64,
    first_view: Bytes,
}

/// One load of `url` until the price shows; the files loaded by then are the first view. Waits for the network to go quiet afterwards (the idle prefetch) so that loads do
/// not overlap.
fn load(session: &Session, url: &str) -> Result<Load> {
    session.goto(url)?;
    let ms = session.wait_for(PRICE_SEEN, &format!("the price at {url}"), LOAD_TIMEOUT)?.as_f64().context("a time")?;
    let needed = smoke::loaded_at_price(session)?;
    session.wait_network_idle(Duration::from_millis(500), LOAD_TIMEOUT)?;
    let requests = session.requests();
    let first_view = Bytes::of(requests.iter().filter(|r| needed.contains(&r.url)));
    Ok(Load { ms, first_view })
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// The rendered page without its scripts, preload hints and the app's copy of the invoice: what a server-rendered page of
/// the same invoice would send.
fn static_page(rendered: &str) -> Result<String> {
    let mut html = String::with_capacity(rendered.len());
    let mut rest = rendered;
    while let Some(at) = rest.find("<script") {
        html.push_str(&rest[..at]);
        let end = rest[at..].find("</script>").context("a <script> without </script>")?;
        rest = &rest[at + end + "</script>".len()..];
    }
    html.push_str(rest);
    let mut out = String::with_capacity(html.len());
    let mut rest = html.as_str();
    while let Some(at) = rest.find("<link") {
        out.push_str(&rest[..at]);
        let end = rest[at..].find('>').context("an unclosed <link")?;
        let tag = &rest[at..at + end + 1];
        if !["preload", "modulepreload", "prefetch"].iter().any(|r| tag.contains(&format!("rel=\"{r}\""))) {
            out.push_str(tag);
        }
        rest = &rest[at + end + 1..];
    }
    out.push_str(rest);
    // The invoice's answer for the app (server/src/shared_link.rs): the static page shows it.
    if let Some(at) = out.find("<meta name=\"schet-head-start\"") {
        let end = out[at..].find('>').context("an unclosed <meta")?;
        out.replace_range(at..at + end + 1, "");
    }
    if !out.contains("<dl class=\"fields") {
        bail!("the rendered invoice has no price list (dl.fields)");
    }
    Ok(format!("<!DOCTYPE html>\n{out}"))
}

pub fn phone(chrome: &Chrome, dist: &Path, server: &Path, args: &Args) -> Result<bool> {
    step("the shared link on a slow phone: app against a static page of the same invoice");
    let site = TempDir::new("bench-site")?;
    for entry in std::fs::read_dir(dist).context("listing dist/")? {
        let path = entry?.path();
        std::fs::copy(&path, site.0.join(path.file_name().context("a file name")?))
            .with_context(|| format!("copying {}", path.display()))?;
    }
    let live = LiveServer::start_demo(server, &site.0)?;
    let app = format!("{}/invoice/1", live.url);
    let mut ok = true;
    // A guest first (the buyer a link was shared with), then the demo seller logged in (a
    // token in localStorage, as the link was first timed), each in a fresh browser profile.
    for (who, file) in [("guest", "invoice-1.guest.html"), ("logged in", "invoice-1.logged-in.html")] {
        let session = Session::launch(chrome, "bench-phone")?;
        session.on_new_document(PRICE_OBSERVER)?;
        if who == "logged in" {
            smoke::log_in_alice(&session, &live.url)?;
        }
        let page = format!("{}/{file}", live.url);
        load(&session, &app)?;
        let rendered = session.eval("document.documentElement.outerHTML")?;
        let rendered = rendered.as_str().context("the page's HTML")?;
        std::fs::write(site.0.join(file), static_page(rendered)?).context("writing the static page")?;
        ok &= time_link(&session, who, &app, &page, args)?;
    }

    // The whole app: cold, the shared link, then every screen inside the app.
    let session = Session::launch(chrome, "bench-phone")?;
    session.on_new_document(PRICE_OBSERVER)?;
    smoke::log_in_alice(&session, &live.url)?;
    session.clear_cache()?;
    session.goto(&app)?;
    session.wait_for(PRICE_SEEN, "the price", LOAD_TIMEOUT)?;
    for (path, what, condition) in LAZY_SCREENS {
        session.eval(&smoke::click_to(path))?;
        session.wait_for(&smoke::screen_condition(condition), what, LOAD_TIMEOUT)?;
    }
    session.wait_network_idle(Duration::from_secs(1), LOAD_TIMEOUT)?;
    let requests = session.requests();
    for r in requests.iter().filter(|r| !matches!(kind(r), Kind::Api | Kind::Other)) {
        let file = r.url.rsplit('/').next().unwrap_or_default();
        let encoding = if r.encoding.is_empty() { "identity" } else { &r.encoding };
        println!("  {file:<48} {encoding:<8} {:>10}", kb(r.transferred.unwrap_or(0)));
    }
    let whole = Bytes::of(&requests);
    println!("whole app (every screen), cold: {} ({})", kb(whole.code()), whole.describe());
    ok &= against(
        "whole app: HTML + CSS + JS + wasm",
        whole.code() as f64 / 1000.0,
        WHOLE_APP_BUDGET as f64 / 1000.0,
        "KB",
    );
    drop(session);
    drop(live);
    Ok(ok)
}

/// The shared link `app` against the static page `page`, cold and warm, on the slow phone,
/// for `who` (the session's viewer); then the first view's bytes. Whether both are in budget.
fn time_link(session: &Session, who: &str, app: &str, page: &str, args: &Args) -> Result<bool> {
    session.throttle_slow_phone()?;
    let mut times: BTreeMap<(&str, &str), Vec<f64>> = BTreeMap::new();
    let mut app_first_view = Vec::new();
    let mut static_bytes = Vec::new();
    for cache in ["cold", "warm"] {
        for _ in 0..args.runs.max(1) {
            for (what, url) in [("app", app), ("static", page)] {
                if cache == "cold" {
                    session.clear_cache()?;
                }
                let l = load(session, url)?;
                times.entry((cache, what)).or_default().push(l.ms);
                if cache == "cold" && what == "app" {
                    app_first_view.push(l.first_view);
                } else if cache == "cold" {
                    static_bytes.push(l.first_view);
                }
            }
        }
    }
    session.unthrottle()?;
    let m = |cache, what| median(times[&(cache, what)].clone());
    println!("{who}: slow phone, median of {} loads (ms from navigation to the price on screen):", args.runs.max(1));
    for cache in ["cold", "warm"] {
        let (a, s) = (m(cache, "app"), m(cache, "static"));
        println!("  {cache}: app {a:>6.0} ms, static page {s:>6.0} ms, ratio {:.2}", a / s);
    }
    let cold_ratio = m("cold", "app") / m("cold", "static");
    let warm_ratio = m("warm", "app") / m("warm", "static");
    let mut ok = against(&format!("{who}, cold: app / static page"), cold_ratio, 3.0, "×");
    ok &= against(&format!("{who}, warm: app / static page (close: 1.5×)"), warm_ratio, 1.5, "×");

    let first = app_first_view.last().context("a cold load")?;
    println!("{who}: first view of the shared link, cold: {} ({})", kb(first.code()), first.describe());
    if let Some(s) = static_bytes.last() {
        println!("{who}: static page, cold: {} ({})", kb(s.code()), s.describe());
    }
    ok &= against(
        &format!("{who}, first view: HTML + CSS + JS + wasm"),
        first.code() as f64 / 1000.0,
        FIRST_VIEW_BUDGET as f64 / 1000.0,
        "KB",
    );
    Ok(ok)
}

#[cfg(test)]
mod tests {
    use super::static_page;

    #[test]
    fn the_static_page_keeps_the_markup_and_stylesheet_and_drops_scripts_hints_and_the_apps_copy() {
        let rendered = "<html><head><link rel=\"stylesheet\" href=\"/main.0123456789abcdef.css\">\
            <link rel=\"modulepreload\" href=\"/schet.x.js\"><script type=\"module\" src=\"/boot.js\"></script>\
            <link rel=\"prefetch\" href=\"/a.wasm\" as=\"fetch\"><meta name=\"schet-head-start\" content=\"1 AAAA\" />\
            </head><body><dl class=\"fields\"><dd>1 BTC</dd></dl></body></html>";
        let page = static_page(rendered).unwrap();
        assert_eq!(
            page,
            "<!DOCTYPE html>\n<html><head><link rel=\"stylesheet\" href=\"/main.0123456789abcdef.css\"></head>\
             <body><dl class=\"fields\"><dd>1 BTC</dd></dl></body></html>"
        );
        assert!(static_page("<html><body><p>no invoice</p></body></html>").is_err());
    }
}
