//! A small TCP proxy for `cargo xtask run --postgres`: one address on 127.0.0.1, each new
//! connection handed to the next service instance in turn (skipping one that does not
//! answer). For local use only: no TLS, no health checks, no limits. Connections are
//! sticky (HTTP/1.1 keep-alive and HTTP/2 stay on the instance they reached), which is how
//! a real balancer spreads gRPC too.

use anyhow::{Context, Result, bail};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Listens on `listen` and serves until the process ends.
pub fn start(listen: SocketAddr, backends: Vec<SocketAddr>) -> Result<SocketAddr> {
    if !listen.ip().is_loopback() {
        bail!("the local proxy listens on loopback only");
    }
    let listener = TcpListener::bind(listen).with_context(|| format!("the proxy cannot listen on {listen}"))?;
    let bound = listener.local_addr()?;
    let backends = Arc::new(backends);
    let next = Arc::new(AtomicUsize::new(0));
    std::thread::spawn(move || {
        for client in listener.incoming().flatten() {
            let (backends, next) = (backends.clone(), next.clone());
            std::thread::spawn(move || relay(client, &backends, &next));
        }
    });
    Ok(bound)
}

fn relay(client: TcpStream, backends: &[SocketAddr], next: &AtomicUsize) {
    let first = next.fetch_add(1, Ordering::Relaxed);
    let Some(server) =
        (0..backends.len()).find_map(|k| TcpStream::connect(backends[(first + k) % backends.len()]).ok())
    else {
        return;
    };
    let _ = (client.set_nodelay(true), server.set_nodelay(true));
    let (Ok(mut client_read), Ok(mut server_write)) = (client.try_clone(), server.try_clone()) else { return };
    let upstream = std::thread::spawn(move || {
        let _ = std::io::copy(&mut client_read, &mut server_write);
        let _ = server_write.shutdown(Shutdown::Write);
    });
    let (mut server_read, mut client_write) = (server, client);
    let _ = std::io::copy(&mut server_read, &mut client_write);
    let _ = client_write.shutdown(Shutdown::Write);
    let _ = upstream.join();
}
