//! The split release build, driven in headless Chromium as a person would use it: it starts
//! (not a blank page), logs in over gRPC-web, shows a shared invoice from the main module
//! alone (its owner's actions and the live stream come after, from the lazy module), and
//! every lazily loaded screen loads both when navigated to inside the app and
//! when opened directly, with no console error.

use crate::browser::Session;
use crate::release::Dist;
use crate::tools::Chrome;
use anyhow::{Context, Result, bail};
use std::time::Duration;

/// Records when the invoice's price is on screen (`window.__schetPriceAt`, ms since the
/// navigation started): the first frame painted once the first `dl.fields dd` holds a digit
/// (a frame is not painted while the stylesheet is still loading). The app and the static
/// snapshot in the benchmark share this markup. Also records which files had loaded by then
/// (`window.__schetLoadedAtPrice`): what the first view needed.
pub const PRICE_OBSERVER: &str = r#"(() => {
  const seen = () => {
    const dd = document.querySelector("dl.fields dd");
    return dd !== null && /[0-9]/.test(dd.textContent);
  };
  const painted = () => {
    window.__schetPriceAt = performance.now();
    window.__schetLoadedAtPrice = [location.href, ...performance.getEntriesByType("resource").map((e) => e.name)];
  };
  const observer = new MutationObserver(() => {
    if (seen()) {
      observer.disconnect();
      requestAnimationFrame(() => setTimeout(painted, 0));
    }
  });
  observer.observe(document, { subtree: true, childList: true, characterData: true });
})();"#;

/// The files loaded by the time the price showed (after `PRICE_SEEN`).
pub fn loaded_at_price(session: &Session) -> Result<Vec<String>> {
    let v = session.eval("window.__schetLoadedAtPrice")?;
    let list = v.as_array().context("the files loaded by the time the price showed")?;
    Ok(list.iter().filter_map(|u| u.as_str().map(str::to_string)).collect())
}

pub const PRICE_SEEN: &str = "window.__schetPriceAt";

/// (path, what a person sees there, a JS condition for it) for every lazily loaded screen,
/// as the demo user alice (who owns invoice 1 and has a conversation 1).
pub const LAZY_SCREENS: &[(&str, &str, &str)] = &[
    ("/invoices", "the invoice list", "h1Is('Invoices')"),
    ("/settings", "settings", "h1Is('Log in and settings')"),
    ("/invoices/new", "the new-invoice form", "h1Is('New invoice')"),
    ("/invoice/1/edit", "the edit form", "h1Is('Edit invoice')"),
    ("/merchant", "merchant invoices", "h1Is('Merchant invoices')"),
    ("/invoice/1/secrets", "the secrets of invoice 1", "h1Is('Secrets of invoice')"),
    ("/inbox", "conversations", "h1Is('Conversations')"),
    ("/inbox/1", "conversation 1", "document.querySelector('main section.conversation h1') !== null"),
    ("/payments", "payments", "h1Is('Payments')"),
    ("/events", "notifications", "h1Is('Notifications')"),
    ("/payment/1", "payment 1", "h1Is('Payment #1')"),
    (
        "/inbox/payment/1",
        "the conversation about payment 1",
        "document.querySelector('main section.conversation h1') !== null",
    ),
];

/// The helper the screen conditions use.
pub fn screen_condition(condition: &str) -> String {
    format!(
        "(() => {{ const h1Is = (t) => (document.querySelector('main h1')?.textContent ?? '').trim().startsWith(t); \
         return {condition}; }})()"
    )
}

/// Navigates inside the app (the router handles the click; no page load).
pub fn click_to(path: &str) -> String {
    format!(
        "(() => {{ const a = document.createElement('a'); a.href = '{path}'; document.body.append(a); a.click(); a.remove(); return true; }})()"
    )
}

/// Logs the demo user in through the settings link, in English, as a person does: the link
/// asks first ("Log in as alice", `#login-confirm`), the button is clicked, and the top bar
/// shows the name.
pub fn log_in_alice(session: &Session, url: &str) -> Result<()> {
    session.goto(&format!("{url}/settings?token=demo-alice&merchant=login&lang=en"))?;
    session.wait_for(
        "document.body.innerText.includes('This link logs you in as') && document.querySelector('#login-confirm') !== null",
        "the demo link asks to log in as alice",
        Duration::from_secs(60),
    )?;
    session.eval("document.querySelector('#login-confirm').click()")?;
    session.wait_for(
        "document.querySelector('.top-bar')?.innerText.includes('alice') && document.body.innerText.includes('Logged in as')",
        "the demo token logs in over gRPC-web (\"alice\" shown)",
        Duration::from_secs(60),
    )?;
    Ok(())
}

pub fn smoke_release(chrome: &Chrome, url: &str, dist: &Dist) -> Result<(u64, u64)> {
    let session = Session::launch(chrome, "chromium-smoke")?;
    session.on_new_document(PRICE_OBSERVER)?;
    let mut results: Vec<(String, Result<()>)> = Vec::new();

    let login = log_in_alice(&session, url);
    let started = login.is_ok();
    results.push(("the app renders and the demo token logs in over gRPC-web (\"alice\" shown)".into(), login));
    if started {
        let csp = session.eval("document.querySelectorAll('script:not([src])').length === 0 && document.querySelector('.top-bar') !== null");
        results.push((
            "no inline script is needed (CSP kept) and the top bar is there".into(),
            csp.and_then(
                |v| if v == serde_json::json!(true) { Ok(()) } else { bail!("an inline script or no top bar") },
            ),
        ));
    }

    // The shared link: the invoice shows before the screens' module (after the first view).
    let deep = (|| -> Result<()> {
        open_shared_invoice(&session, url, "")?;
        // The invoice's conversations come with the lazy module, after the invoice.
        session.wait_for(
            "document.querySelector('main section.invoice-chat') !== null",
            "the invoice's conversations (lazy module)",
            Duration::from_secs(60),
        )?;
        // So do the owner's actions (alice owns invoice 1).
        session.wait_for(
            "document.querySelector('main .secrets-link a') !== null",
            "the owner's actions on the invoice (lazy module)",
            Duration::from_secs(60),
        )?;
        // boot.js asked for the invoice while the app downloaded, and the app took that
        // answer: one GetInvoiceById, sent before any lazy module was asked for (the app's
        // own calls go through the transport, a lazy module).
        let lazy_files = serde_json::to_string(&dist.chunks.keys().map(|c| format!("/{c}")).collect::<Vec<_>>())?;
        let head_start = session.eval(&format!(
            "(() => {{ const all = performance.getEntriesByType('resource'); \
             const reads = all.filter((e) => e.name.endsWith('/GetInvoiceById')); \
             const lazy = all.filter((e) => {lazy_files}.some((f) => e.name.endsWith(f))); \
             return reads.length === 1 && lazy.length > 0 && lazy.every((e) => reads[0].startTime < e.startTime); }})()"
        ))?;
        if head_start != serde_json::json!(true) {
            bail!("the invoice was not read once, ahead of the app's transport (boot.js's head start)");
        }
        // The screens' module waits until the first view has settled; the transport's may
        // come alongside (the first view's other calls, image previews and the login's
        // profile, need it), but the invoice itself did not wait for it: it came with the
        // head start, checked above.
        let needed = loaded_at_price(&session)?;
        let early: Vec<&String> = needed
            .iter()
            .filter(|u| dist.chunks.keys().any(|c| u.ends_with(&format!("/{c}")) && !dist.is_transport(c)))
            .collect();
        if !early.is_empty() {
            bail!("the screens' lazy modules were loaded before the invoice showed: {early:?}");
        }
        errors_none(&session)
    })();
    results.push(("a shared invoice link shows the invoice before the screens' module, no console error".into(), deep));

    // The live stream's code comes with the lazy module, after the first view: it connects,
    // whether the first view was the shared invoice or the notifications (which wait for it).
    let live = "document.querySelector('main .link-state')?.textContent === 'Live' \
                && document.querySelector('main section.events[aria-busy=\"false\"]') !== null";
    let stream = (|| -> Result<()> {
        session.goto(&format!("{url}/invoice/1"))?;
        session.wait_for(PRICE_SEEN, "the invoice's price", Duration::from_secs(60))?;
        session.eval(&click_to("/events"))?;
        session.wait_for(
            live,
            "the live events' link shown as Live, notifications caught up",
            Duration::from_secs(60),
        )?;
        errors_none(&session)?;
        session.goto(&format!("{url}/events"))?;
        session.wait_for(live, "the same, the notifications opened directly", Duration::from_secs(60))?;
        errors_none(&session)
    })();
    results.push(("the live event stream connects once loaded after the first view, no console error".into(), stream));

    for (path, what, condition) in LAZY_SCREENS {
        let condition = screen_condition(condition);
        let navigated = (|| -> Result<()> {
            session.goto(&format!("{url}/invoice/1"))?;
            session.wait_for(PRICE_SEEN, "the invoice's price", Duration::from_secs(60))?;
            session.eval("window.__schetSamePage = true")?;
            session.eval(&click_to(path))?;
            session.wait_for(&condition, what, Duration::from_secs(60))?;
            if session.eval("window.__schetSamePage === true")? != serde_json::json!(true) {
                bail!("the page reloaded instead of navigating inside the app");
            }
            errors_none(&session)
        })();
        results.push((format!("{what} ({path}) loads when navigated to, no console error"), navigated));
        let direct = (|| -> Result<()> {
            session.goto(&format!("{url}{path}"))?;
            session.wait_for(&condition, what, Duration::from_secs(60))?;
            errors_none(&session)
        })();
        results.push((format!("{what} ({path}) loads when opened directly, no console error"), direct));
    }

    let unreachable = lazy_module_unreachable(&session, url);
    let _ = session.block_urls(&[]);
    results.push((
        "a screen whose code cannot be fetched says so with a retry, the app goes on, the retry opens it".into(),
        unreachable,
    ));

    let transport: Vec<String> = dist.chunks.keys().filter(|c| dist.is_transport(c)).map(|c| format!("*{c}")).collect();
    let without_transport = transport_unreachable(&session, url, &transport);
    let _ = session.block_urls(&[]);
    results.push((
        "a shared link shows the invoice while the transport's code cannot be fetched; the next call fetches it".into(),
        without_transport,
    ));

    let from_page = shared_link_logged_in_from_page(&session, url);
    let _ = session.block_urls(&[]);
    results.push((
        "logged in, a shared link shows the invoice the page carried while the service cannot answer; the retry reads it"
            .into(),
        from_page,
    ));

    results.push((
        "a guest's shared link shows the invoice with no call to the service (its answer came in the page)".into(),
        shared_link_as_guest(chrome, url),
    ));

    results.push((
        "in a fresh profile the lazy modules come compressed with the main module as dictionary (dcb)".into(),
        dictionary_transport(chrome, url, dist),
    ));
    results.push((
        "a reader of Russian gets the Russian texts with the first view, a reader of English only on switching".into(),
        languages(chrome, url, dist),
    ));

    let mut passed = 0;
    let mut failed = 0;
    for (name, result) in &results {
        match result {
            Ok(()) => {
                passed += 1;
                println!("test release-smoke: {name} ... ok");
            }
            Err(e) => {
                failed += 1;
                println!("test release-smoke: {name} ... FAILED\n    {e:#}");
            }
        }
    }
    println!("release smoke: {passed} passed, {failed} failed");
    Ok((passed, failed))
}

/// Languages load on demand (src/i18n/languages.rs). A reader of Russian (the saved
/// language) opening a shared link sees it in Russian, no English first: the module of the
/// Russian texts came alongside the first view. A reader of English goes through every screen
/// without it; switching to Russian in the top bar fetches it, and the page turns Russian.
fn languages(chrome: &Chrome, url: &str, dist: &Dist) -> Result<()> {
    // The modules of the Russian texts alone (code they share with the screens is not).
    let russian: Vec<String> = dist
        .chunks
        .keys()
        .filter(|c| dist.is_russian(c) && !dist.prefetched().contains(&c.as_str()))
        .map(|c| format!("/{c}"))
        .collect();
    if russian.is_empty() {
        bail!("the release build has no lazy module for the Russian texts (i18n::languages)");
    }
    let fetched = format!(
        "performance.getEntriesByType('resource').some((e) => {}.some((f) => e.name.endsWith(f)))",
        serde_json::to_string(&russian)?
    );
    // The invoice's first field label, as the page shows it.
    let label = |text: &str| format!("document.querySelector('main dl.fields dt')?.textContent === '{text}'");
    let first_label = "(() => { const dt = document.querySelector('main dl.fields dt'); \
                       if (dt && window.__schetFirstLabel === undefined) window.__schetFirstLabel = dt.textContent; })()";

    let session = Session::launch(chrome, "smoke-lang")?;
    session.goto(url)?;
    session.eval("localStorage.setItem('schet.lang', 'ru')")?;
    session.on_new_document(&format!(
        "new MutationObserver(() => {first_label}).observe(document, {{ subtree: true, childList: true }})"
    ))?;
    session.goto(&format!("{url}/invoice/1"))?;
    session.wait_for(&label("Цена"), "the invoice in Russian", Duration::from_secs(60))?;
    if session.eval("window.__schetFirstLabel")? != serde_json::json!("Цена") {
        bail!("the invoice showed in English before Russian ({})", session.eval("window.__schetFirstLabel")?);
    }
    if session.eval(&fetched)? != serde_json::json!(true) || session.eval("document.documentElement.lang")? != "ru" {
        bail!("the page is in Russian without the module of the Russian texts, or not marked lang=ru");
    }
    errors_none(&session)?;
    drop(session);

    let session = Session::launch(chrome, "smoke-lang")?;
    session.goto(url)?;
    session.eval("localStorage.setItem('schet.lang', 'en')")?;
    log_in_alice(&session, url)?;
    session.goto(&format!("{url}/invoice/1"))?;
    session.wait_for(&label("Price"), "the invoice in English", Duration::from_secs(60))?;
    for (path, what, condition) in LAZY_SCREENS {
        session.eval(&click_to(path))?;
        session.wait_for(&screen_condition(condition), what, Duration::from_secs(60))?;
    }
    session.eval(&click_to("/invoice/1"))?;
    session.wait_for(&label("Price"), "the invoice in English again", Duration::from_secs(60))?;
    session.wait_network_idle(Duration::from_secs(1), Duration::from_secs(60))?;
    if session.eval(&fetched)? != serde_json::json!(false) {
        bail!("a reader of English downloaded the Russian texts");
    }
    session.eval(
        "[...document.querySelectorAll('header.top-bar button')].find((b) => b.textContent === 'Русский').click()",
    )?;
    session.wait_for(&label("Цена"), "the invoice in Russian, switched to", Duration::from_secs(60))?;
    if session.eval(&fetched)? != serde_json::json!(true) {
        bail!("the page turned Russian without the module of the Russian texts");
    }
    errors_none(&session)
}

/// The lazy module cannot be fetched (the connection dropped as it was asked for): a lazy
/// screen opened directly shows the failure with a retry instead of the app dying (in the
/// release build a panic aborts the whole app); the app still navigates; once the network is
/// back, the retry opens the screen.
fn lazy_module_unreachable(session: &Session, url: &str) -> Result<()> {
    // The route's own failure: no invoice page (whose lazy parts fail too) left on screen.
    let retry = "document.querySelector('main section.invoice') === null && document.querySelector('main .error-banner button')";
    let settings = screen_condition("h1Is('Log in and settings')");
    session.block_urls(&["*split_screens*"])?;
    session.goto(&format!("{url}/settings"))?;
    session.wait_for(
        &format!("{retry} !== null"),
        "the screen's failure to load, with a retry",
        Duration::from_secs(60),
    )?;
    session.eval(&click_to("/invoice/1"))?;
    session.wait_for(PRICE_SEEN, "the shared invoice, after the failure", Duration::from_secs(60))?;
    session.eval(&click_to("/settings"))?;
    session.wait_for(&format!("({retry}) !== null"), "the failure again, navigated to", Duration::from_secs(60))?;
    session.block_urls(&[])?;
    session.reset_log();
    session.eval("document.querySelector('main .error-banner button').click()")?;
    session.wait_for(&settings, "the settings, after the retry", Duration::from_secs(60))?;
    errors_none(session)
}

/// The gRPC transport's lazy modules cannot be fetched: a shared invoice link still shows the
/// invoice (boot.js's head start brought it; the first view waits for nothing lazy), and
/// once the network is back the next call fetches the transport (a failed load is not
/// remembered) and answers: the invoice list shows.
fn transport_unreachable(session: &Session, url: &str, transport: &[String]) -> Result<()> {
    if transport.is_empty() {
        bail!("the release build has no lazy module for the transport (api::wire::unary_sender)");
    }
    let patterns: Vec<&str> = transport.iter().map(String::as_str).collect();
    session.block_urls(&patterns)?;
    open_shared_invoice(session, url, ", without the transport")?;
    session.block_urls(&[])?;
    to_invoice_list(session, "the invoice list, its call made once the transport could be fetched")
}

/// Someone logged in opens a shared link while the service cannot answer their read (every
/// GetInvoiceById blocked, boot.js's and the app's): the invoice shows all the same, from the
/// guest's answer the page carried, with the failed read said above it; once the service is
/// back, its Retry reads the invoice, and the notice goes.
fn shared_link_logged_in_from_page(session: &Session, url: &str) -> Result<()> {
    session.block_urls(&["*/GetInvoiceById"])?;
    open_shared_invoice(session, url, ", logged in, with its read blocked")?;
    let banner = "document.querySelector('main section.invoice .error-banner button')";
    session.wait_for(&format!("{banner} !== null"), "the failed read said, with a retry", Duration::from_secs(60))?;
    session.block_urls(&[])?;
    session.eval(&format!("{banner}.click()"))?;
    session.wait_for(
        "document.querySelector('main section.invoice .error-banner') === null \
         && document.body.innerText.includes('Steam gift card')",
        "the invoice read again, the notice gone",
        Duration::from_secs(60),
    )?;
    Ok(())
}

/// Follows the app's link to the invoice list and waits (up to 60 s) for the demo invoices.
fn to_invoice_list(session: &Session, what: &str) -> Result<()> {
    session.eval(&click_to("/invoices"))?;
    session.wait_for(
        "document.querySelector('main table') !== null && document.body.innerText.includes('Steam gift card')",
        what,
        Duration::from_secs(60),
    )?;
    Ok(())
}

/// A guest (a browser that never logged in) opens the shared link: the page carries the
/// guest's answer for the invoice (server/src/shared_link.rs), so the invoice shows, with
/// "Log in to buy", before any GetInvoiceById is sent, and none is sent for it at all.
fn shared_link_as_guest(chrome: &Chrome, url: &str) -> Result<()> {
    let session = Session::launch(chrome, "chromium-smoke-guest")?;
    session.on_new_document(PRICE_OBSERVER)?;
    open_shared_invoice(&session, url, " (a guest)")?;
    let carried = session.eval(
        "(() => { const meta = document.querySelector('meta[name=\"schet-head-start\"]'); \
         return meta !== null && meta.content.startsWith('1 '); })()",
    )?;
    if carried != serde_json::json!(true) {
        bail!("the page of /invoice/1 carries no answer for invoice 1");
    }
    session.wait_for(
        "document.body.innerText.includes('Log in to buy')",
        "'Log in to buy' for a guest",
        Duration::from_secs(10),
    )?;
    let reads = session
        .eval("performance.getEntriesByType('resource').filter((e) => e.name.endsWith('/GetInvoiceById')).length")?;
    if reads != serde_json::json!(0) {
        bail!("a guest's shared link still asked the service for the invoice ({reads} GetInvoiceById)");
    }
    errors_none(&session)
}

/// Compression Dictionary Transport (server/src/dictionary.rs): in a fresh profile, the main
/// module comes marked as a dictionary, so every lazy module that has a `.dcb` copy comes as
/// that copy (`Content-Encoding: dcb`: Chromium sent the main module's hash and decoded the
/// answer); the app logs in (the screens' and the transport's code) and lists the invoices.
fn dictionary_transport(chrome: &Chrome, url: &str, dist: &Dist) -> Result<()> {
    // Those a reader of English loads (the Russian texts' come in the languages' check).
    let copies: Vec<&str> =
        dist.prefetched().into_iter().filter(|c| dist.dir.join(format!("{c}.dcb")).is_file()).collect();
    if !copies.iter().any(|c| !dist.is_transport(c)) {
        bail!("the release build wrote no .dcb copy of the screens' module");
    }
    let session = Session::launch(chrome, "chromium-smoke-dcb")?;
    log_in_alice(&session, url)?;
    to_invoice_list(&session, "the invoice list, its code and its call's transport decoded from dcb")?;
    errors_none(&session)?;
    let requests = session.requests();
    let mut seen = Vec::new();
    for copy in &copies {
        let suffix = format!("/{copy}");
        let r = requests
            .iter()
            .find(|r| r.url.ends_with(&suffix))
            .with_context(|| format!("{copy} was not loaded by the login and the invoice list"))?;
        if r.encoding != "dcb" {
            bail!("{copy} came with Content-Encoding {:?}, not dcb ({:?} bytes)", r.encoding, r.transferred);
        }
        seen.push(format!("{copy}: {} B", r.transferred.unwrap_or(0)));
    }
    println!("release smoke: dcb {}", seen.join(", "));
    Ok(())
}

/// Opens the shared link of the demo invoice and waits for its price and title (`when`
/// says under what conditions, for the failure's wording).
fn open_shared_invoice(session: &Session, url: &str, when: &str) -> Result<()> {
    session.goto(&format!("{url}/invoice/1"))?;
    session.wait_for(PRICE_SEEN, &format!("the shared invoice's price{when}"), Duration::from_secs(60))?;
    session.wait_for(
        "document.body.innerText.includes('Steam gift card')",
        &format!("the demo invoice{when}"),
        Duration::from_secs(10),
    )?;
    Ok(())
}

/// Fails with the console errors seen since the last navigation, if any.
fn errors_none(session: &Session) -> Result<()> {
    // Let late errors (a failed chunk, a panic after render) arrive.
    session.wait_network_idle(Duration::from_millis(300), Duration::from_secs(30))?;
    let errors = session.errors();
    if !errors.is_empty() {
        bail!("console errors: {}", errors.join(" | "));
    }
    Ok(())
}
