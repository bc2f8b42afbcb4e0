//! Headless Chromium, driven over the DevTools protocol (headless_chrome): a tab with its
//! network log and console errors recorded, network and CPU throttling, cache control, and
//! waiting for what a person would see. Above `tools` (which installs Chromium) and `proc`.

use crate::proc::TempDir;
use crate::tools::{CHROMIUM_FLAGS, Chrome};
use anyhow::{Context, Result, anyhow, bail};
use headless_chrome::protocol::cdp::{Emulation, Log, Network, Page, Runtime};
use headless_chrome::{Browser, LaunchOptions, Tab, protocol::cdp::types::Event};
use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The one request that stays open: the live events stream.
const LONG_LIVED: &str = "/SubscribeNewEvents";

/// One response as the network log saw it.
#[derive(Clone, Debug, Default)]
pub struct Request {
    pub url: String,
    pub mime: String,
    pub status: i64,
    pub encoding: String,
    pub from_cache: bool,
    /// Bytes on the wire: headers and (encoded) body. Set once loading finished.
    pub transferred: Option<u64>,
    pub failed: Option<String>,
    /// The document that made the request (a navigation starts a new one).
    pub loader: String,
    pub document: bool,
}

#[derive(Default)]
struct Recorded {
    requests: BTreeMap<String, Request>,
    order: Vec<String>,
    errors: Vec<String>,
}

/// A browser with one tab, its own profile, and listeners that keep the network log and
/// every console error.
pub struct Session {
    _browser: Browser,
    pub tab: Arc<Tab>,
    log: Arc<Mutex<Recorded>>,
    _profile: TempDir,
}

impl Session {
    pub fn launch(chrome: &Chrome, tag: &str) -> Result<Session> {
        let profile = TempDir::new(tag)?;
        let data_dir = format!("--user-data-dir={}", profile.0.display());
        let mut args: Vec<&OsStr> = CHROMIUM_FLAGS.iter().map(OsStr::new).collect();
        args.push(OsStr::new(&data_dir));
        // No back/forward cache: a page kept there holds its open live-events stream, and
        // after a few full page loads the six connections per host are all taken.
        args.push(OsStr::new("--disable-features=TranslateUI,BlinkGenPropertyTrees,BackForwardCache"));
        let options = LaunchOptions {
            headless: true,
            sandbox: false,
            path: Some(chrome.browser.clone()),
            window_size: Some((412, 915)),
            idle_browser_timeout: Duration::from_secs(600),
            args,
            ignore_default_args: vec![OsStr::new("--disable-features=TranslateUI,BlinkGenPropertyTrees")],
            ..LaunchOptions::default()
        };
        let browser = Browser::new(options).map_err(|e| anyhow!("starting Chromium: {e:#}"))?;
        let tab = browser.new_tab().map_err(|e| anyhow!("opening a tab: {e:#}"))?;
        tab.set_default_timeout(Duration::from_secs(120));
        let log = Arc::new(Mutex::new(Recorded::default()));
        let sink = log.clone();
        tab.add_event_listener(Arc::new(move |event: &Event| record(&sink, event)))
            .map_err(|e| anyhow!("listening to the tab: {e:#}"))?;
        tab.call_method(Network::Enable {
            max_total_buffer_size: None,
            max_resource_buffer_size: None,
            max_post_data_size: None,
            report_direct_socket_traffic: None,
            enable_durable_messages: None,
        })
        .map_err(cdp)?;
        tab.call_method(Runtime::Enable(None)).map_err(cdp)?;
        tab.call_method(Log::Enable(None)).map_err(cdp)?;
        Ok(Session { _browser: browser, tab, log, _profile: profile })
    }

    /// The slow phone: 1.6 Mbit/s down, 750 kbit/s up, 150 ms round trip, CPU 4× slower.
    pub fn throttle_slow_phone(&self) -> Result<()> {
        self.throttle(Some((150.0, 1_600_000.0 / 8.0, 750_000.0 / 8.0)), 4.0)
    }

    pub fn unthrottle(&self) -> Result<()> {
        self.throttle(None, 1.0)
    }

    fn throttle(&self, network: Option<(f64, f64, f64)>, cpu: f64) -> Result<()> {
        let (latency, down, up) = network.unwrap_or((0.0, -1.0, -1.0));
        self.tab
            .call_method(Network::EmulateNetworkConditions {
                offline: false,
                latency,
                download_throughput: down,
                upload_throughput: up,
                connection_Type: None,
                packet_loss: None,
                packet_queue_length: None,
                packet_reordering: None,
            })
            .map_err(cdp)?;
        self.tab.call_method(Emulation::SetCPUThrottlingRate { rate: cpu }).map_err(cdp)?;
        Ok(())
    }

    /// Requests for URLs matching any of `patterns` (`*` matches anything) fail as a dropped
    /// connection would; none with an empty list.
    pub fn block_urls(&self, patterns: &[&str]) -> Result<()> {
        let urls = patterns.iter().map(|p| p.to_string()).collect();
        self.tab.call_method(Network::SetBlockedURLs { urls }).map_err(cdp)?;
        Ok(())
    }

    /// Empties the HTTP cache (cookies and storage stay).
    pub fn clear_cache(&self) -> Result<()> {
        self.tab.call_method(Network::ClearBrowserCache(None)).map_err(cdp)?;
        Ok(())
    }

    /// Runs `source` in every new document before the page's own scripts.
    pub fn on_new_document(&self, source: &str) -> Result<()> {
        self.tab
            .call_method(Page::AddScriptToEvaluateOnNewDocument {
                source: source.to_string(),
                world_name: None,
                include_command_line_api: None,
                run_immediately: None,
            })
            .map_err(cdp)?;
        Ok(())
    }

    /// Lets the current page finish what it is loading (a request cut off by a navigation
    /// may never report its end), then starts a navigation with an empty log.
    pub fn goto(&self, url: &str) -> Result<()> {
        self.wait_network_idle(Duration::from_millis(200), Duration::from_secs(120))?;
        self.reset_log();
        self.tab.navigate_to(url).map_err(|e| anyhow!("navigating to {url}: {e:#}"))?;
        Ok(())
    }

    pub fn reset_log(&self) {
        let mut log = self.log.lock().expect("log lock");
        *log = Recorded::default();
    }

    /// Evaluates `expression` (which must produce a JSON-compatible value) in the page.
    pub fn eval(&self, expression: &str) -> Result<serde_json::Value> {
        let wrapped = format!("JSON.stringify(({expression}) ?? null)");
        let result = self.tab.evaluate(&wrapped, true).map_err(|e| anyhow!("evaluating {expression}: {e:#}"))?;
        let text = result.value.and_then(|v| v.as_str().map(str::to_string)).unwrap_or_else(|| "null".into());
        serde_json::from_str(&text).with_context(|| format!("reading the result of {expression}"))
    }

    /// Waits until `expression` is truthy (checked every 100 ms) and returns its value.
    pub fn wait_for(&self, expression: &str, what: &str, timeout: Duration) -> Result<serde_json::Value> {
        let started = Instant::now();
        loop {
            let value = self.eval(expression)?;
            let truthy = !matches!(value, serde_json::Value::Null | serde_json::Value::Bool(false))
                && value != serde_json::json!(0)
                && value != serde_json::json!("");
            if truthy {
                return Ok(value);
            }
            if started.elapsed() > timeout {
                bail!("{what}: not seen within {} s", timeout.as_secs());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Waits until no request has been in flight for `quiet` (at most `timeout`). The live
    /// events stream stays open by design and does not count.
    pub fn wait_network_idle(&self, quiet: Duration, timeout: Duration) -> Result<()> {
        let started = Instant::now();
        let mut idle_since = Instant::now();
        loop {
            let pending: Vec<String> = self
                .requests()
                .into_iter()
                .filter(|r| r.transferred.is_none() && r.failed.is_none() && !r.url.ends_with(LONG_LIVED))
                .map(|r| r.url)
                .collect();
            if !pending.is_empty() {
                idle_since = Instant::now();
            } else if idle_since.elapsed() >= quiet {
                return Ok(());
            }
            if started.elapsed() > timeout {
                let all: Vec<String> = self
                    .requests()
                    .iter()
                    .map(|r| format!("{} {} {:?} {:?}", r.url, r.status, r.transferred, r.failed))
                    .collect();
                bail!(
                    "the network did not go quiet within {} s; still loading: {pending:?}\nall: {all:#?}",
                    timeout.as_secs()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The requests seen since the last navigation or reset, in the order they were sent:
    /// only the current document's (the old page's requests still report after a
    /// navigation starts, and an aborted one may never report its end).
    pub fn requests(&self) -> Vec<Request> {
        let log = self.log.lock().expect("log lock");
        let all: Vec<Request> = log.order.iter().filter_map(|id| log.requests.get(id).cloned()).collect();
        match all.iter().rev().find(|r| r.document).map(|d| d.loader.clone()) {
            Some(current) => all.into_iter().filter(|r| r.loader == current).collect(),
            None => all,
        }
    }

    /// Console errors, uncaught exceptions and failed loads since the last reset.
    pub fn errors(&self) -> Vec<String> {
        self.log.lock().expect("log lock").errors.clone()
    }
}

fn cdp(e: anyhow::Error) -> anyhow::Error {
    anyhow!("DevTools call failed: {e:#}")
}

fn record(log: &Mutex<Recorded>, event: &Event) {
    let mut log = log.lock().expect("log lock");
    match event {
        Event::NetworkRequestWillBeSent(e) => {
            let p = &e.params;
            let id = p.request_id.clone();
            if !log.requests.contains_key(&id) {
                log.order.push(id.clone());
            }
            let document = matches!(p.Type, Some(Network::ResourceType::Document));
            let request =
                Request { url: p.request.url.clone(), loader: p.loader_id.clone(), document, ..Request::default() };
            log.requests.insert(id, request);
        }
        Event::NetworkResponseReceived(e) => {
            let p = &e.params;
            if let Some(r) = log.requests.get_mut(&p.request_id) {
                r.mime = p.response.mime_type.clone();
                r.status = p.response.status as i64;
                r.from_cache = p.response.from_disk_cache.unwrap_or(false)
                    || p.response.from_prefetch_cache.unwrap_or(false)
                    || p.response.from_service_worker.unwrap_or(false);
                r.encoding = p
                    .response
                    .headers
                    .0
                    .as_ref()
                    .and_then(|h| h.as_object())
                    .and_then(|h| h.iter().find(|(k, _)| k.eq_ignore_ascii_case("content-encoding")))
                    .and_then(|(_, v)| v.as_str())
                    .unwrap_or_default()
                    .to_string();
            }
        }
        Event::NetworkLoadingFinished(e) => {
            let p = &e.params;
            if let Some(r) = log.requests.get_mut(&p.request_id) {
                r.transferred = Some(p.encoded_data_length as u64);
            }
        }
        Event::NetworkLoadingFailed(e) => {
            let p = &e.params;
            let canceled = p.canceled.unwrap_or(false);
            if let Some(r) = log.requests.get_mut(&p.request_id) {
                r.failed = Some(p.error_text.clone());
                if !canceled {
                    let line = format!("failed to load {}: {}", r.url, p.error_text);
                    log.errors.push(line);
                }
            }
        }
        Event::RuntimeExceptionThrown(e) => {
            let d = &e.params.exception_details;
            let what = d.exception.as_ref().and_then(|x| x.description.clone()).unwrap_or_else(|| d.text.clone());
            log.errors.push(format!("uncaught: {what}"));
        }
        Event::RuntimeConsoleAPICalled(e) => {
            if matches!(e.params.Type, Runtime::ConsoleAPICalledEventTypeOption::Error) {
                let text: Vec<String> = e
                    .params
                    .args
                    .iter()
                    .map(|a| {
                        a.value.as_ref().map(|v| v.to_string()).or_else(|| a.description.clone()).unwrap_or_default()
                    })
                    .collect();
                log.errors.push(format!("console.error: {}", text.join(" ")));
            }
        }
        Event::LogEntryAdded(e) => {
            if matches!(e.params.entry.level, Log::LogEntryLevel::Error) {
                log.errors.push(format!(
                    "log: {} {}",
                    e.params.entry.text,
                    e.params.entry.url.clone().unwrap_or_default()
                ));
            }
        }
        _ => {}
    }
}
