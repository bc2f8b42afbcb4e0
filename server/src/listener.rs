//! Accepting connections, with limits, for HTTP/1.1 (gRPC-web, the app's files, the merchant
//! API) and HTTP/2 (native gRPC) on one port:
//!
//! - at most [`Limits::max`] connections open at once and [`Limits::per_ip`] from one address;
//!   a connection past either is closed at once (the client may retry) rather than queued;
//! - an HTTP/1 request head must arrive within [`Limits::header_read`];
//! - a connection with no request in flight that sends nothing for [`Limits::idle`] is closed
//!   (a half-sent head, an idle keep-alive), and one that has not made its first request
//!   within [`Limits::header_read`] too;
//! - a request body that stalls for [`Limits::body_idle`] between frames fails.
//!
//! A long response (an event stream) is a request in flight: it is never cut for being idle.

use axum::Router;
use axum::body::Body;
use bytes::Bytes;
use http::Request;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tower::ServiceExt;

/// Connection limits and timeouts.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max: usize,
    pub per_ip: usize,
    pub header_read: Duration,
    pub idle: Duration,
    pub body_idle: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max: 1024,
            per_ip: 256,
            header_read: Duration::from_secs(10),
            idle: Duration::from_secs(60),
            body_idle: Duration::from_secs(20),
        }
    }
}

/// How long shutting down waits for requests in flight.
const DRAIN: Duration = Duration::from_secs(10);

/// Connections open now, in all and per address.
#[derive(Default)]
struct Open {
    total: usize,
    by_ip: HashMap<IpAddr, usize>,
}

/// One connection's place among the open ones; given back on drop.
struct Slot {
    open: Arc<Mutex<Open>>,
    ip: IpAddr,
}

impl Slot {
    fn take(open: &Arc<Mutex<Open>>, ip: IpAddr, limits: &Limits) -> Option<Slot> {
        let mut o = open.lock().unwrap_or_else(|p| p.into_inner());
        let mine = o.by_ip.get(&ip).copied().unwrap_or(0);
        if o.total >= limits.max || mine >= limits.per_ip {
            return None;
        }
        o.total += 1;
        *o.by_ip.entry(ip).or_default() += 1;
        Some(Slot { open: open.clone(), ip })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut o = self.open.lock().unwrap_or_else(|p| p.into_inner());
        o.total -= 1;
        if let Some(n) = o.by_ip.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                o.by_ip.remove(&self.ip);
            }
        }
    }
}

/// What a connection is doing: requests in flight (and whether it ever made one), and when
/// it last sent a byte.
struct Activity {
    started: Instant,
    in_flight: AtomicUsize,
    requests: AtomicUsize,
    last_read_ms: AtomicU64,
}

impl Activity {
    fn new() -> Activity {
        Activity {
            started: Instant::now(),
            in_flight: AtomicUsize::new(0),
            requests: AtomicUsize::new(0),
            last_read_ms: AtomicU64::new(0),
        }
    }

    fn touch(&self) {
        self.last_read_ms.store(self.started.elapsed().as_millis() as u64, Ordering::Relaxed);
    }

    fn idle_for(&self) -> Option<Duration> {
        if self.in_flight.load(Ordering::Relaxed) > 0 {
            return None;
        }
        let last = Duration::from_millis(self.last_read_ms.load(Ordering::Relaxed));
        Some(self.started.elapsed().saturating_sub(last))
    }
}

/// Resolves once the connection has lasted `first` without making a request (a client that
/// connects and says nothing, or trickles), or, after one, has been idle for `later`.
async fn idle(activity: Arc<Activity>, first: Duration, later: Duration) {
    let step = (first.min(later) / 4).max(Duration::from_millis(50));
    loop {
        tokio::time::sleep(step).await;
        let done = if activity.requests.load(Ordering::Relaxed) == 0 {
            // However slowly it trickles in, the first request must come in time.
            activity.started.elapsed() >= first
        } else {
            activity.idle_for().is_some_and(|d| d >= later)
        };
        if done {
            return;
        }
    }
}

/// A request in flight (until its response body is done or dropped).
struct InFlight(Arc<Activity>);

impl InFlight {
    fn new(activity: Arc<Activity>) -> InFlight {
        activity.in_flight.fetch_add(1, Ordering::Relaxed);
        activity.requests.fetch_add(1, Ordering::Relaxed);
        InFlight(activity)
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::Relaxed);
        self.0.touch();
    }
}

/// A response body that keeps its request counted as in flight.
struct Counted {
    body: Body,
    _in_flight: InFlight,
}

impl http_body::Body for Counted {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, axum::Error>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.body.size_hint()
    }
}

/// The socket, noting every byte read as activity.
struct Tracked {
    stream: TcpStream,
    activity: Arc<Activity>,
}

impl AsyncRead for Tracked {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let result = Pin::new(&mut self.stream).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.activity.touch();
        }
        result
    }
}

impl AsyncWrite for Tracked {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }
}

fn builder(limits: &Limits) -> auto::Builder<TokioExecutor> {
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder.http1().timer(TokioTimer::new()).header_read_timeout(limits.header_read).keep_alive(true);
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_concurrent_streams(128)
        // What one stream may have queued for a client that does not read.
        .max_send_buf_size(64 * 1024)
        .keep_alive_interval(Duration::from_secs(30))
        .keep_alive_timeout(Duration::from_secs(20));
    builder
}

/// Serves `app` on `listener` until `shutdown` resolves, then lets requests in flight finish
/// (for a while).
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let builder = builder(&limits);
    let open = Arc::new(Mutex::new(Open::default()));
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors and the like: wait a moment instead of spinning.
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        let Some(slot) = Slot::take(&open, peer.ip(), &limits) else {
            tracing::warn!(%peer, "connection refused: too many open");
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let activity = Arc::new(Activity::new());
        let io = TokioIo::new(Tracked { stream, activity: activity.clone() });
        let service = {
            let (app, activity, body_idle) = (app.clone(), activity.clone(), limits.body_idle);
            hyper::service::service_fn(move |req: Request<Incoming>| {
                let (app, activity) = (app.clone(), activity.clone());
                async move {
                    let in_flight = InFlight::new(activity);
                    let req = req.map(|b| Body::new(tower_http::timeout::TimeoutBody::new(body_idle, b)));
                    let response = app.oneshot(req).await.unwrap_or_else(|never: Infallible| match never {});
                    Ok::<_, Infallible>(response.map(|body| Counted { body, _in_flight: in_flight }))
                }
            })
        };
        let connection = graceful.watch(builder.serve_connection_with_upgrades(io, service).into_owned());
        let (first, later) = (limits.header_read, limits.idle);
        tokio::spawn(async move {
            tokio::select! {
                result = connection => {
                    if let Err(e) = result {
                        tracing::debug!(%peer, error = %e, "connection ended with an error");
                    }
                }
                _ = idle(activity, first, later) => tracing::debug!(%peer, "idle connection closed"),
            }
            drop(slot);
        });
    }
    drop(listener);
    tokio::select! {
        _ = graceful.shutdown() => {}
        _ = tokio::time::sleep(DRAIN) => tracing::warn!("requests still in flight after {DRAIN:?}; stopping anyway"),
    }
    Ok(())
}
