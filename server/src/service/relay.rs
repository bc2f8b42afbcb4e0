//! Live events between instances (PostgreSQL): every instance publishes through the
//! database, and every instance hands the events of the users whose streams it holds to its
//! own [`Hub`].
//!
//! Publishing never waits: events go to a task that writes them in batches to `live_events`
//! and, in the same statement, `NOTIFY schet_events` with `id:user` pairs. Each instance
//! `LISTEN`s; on a notification it reads only the events of users with a stream here, and
//! publishes them locally in order. (The instance that published receives its own
//! notification like the others: one path for all.) If the listening connection drops,
//! events sent meanwhile are lost, so every stream here is closed as lagging: clients
//! reconnect and reload. Rows older than a few minutes are deleted by a periodic job that
//! one instance at a time runs.

use super::events::Hub;
use crate::db::{Conn, Store, now_ms, q};
use crate::sql;
use prost::Message;
use schet_api::pb;
use sqlx::postgres::PgListener;
use std::time::Duration;
use tokio::sync::mpsc;

const CHANNEL: &str = "schet_events";
/// Events per batch (a notification's payload stays under PostgreSQL's 8000 bytes).
const BATCH: usize = 100;
/// How long events are kept for instances to read.
const KEEP_MS: i64 = 5 * 60_000;

/// The sending side: cheap to clone, never waits.
#[derive(Clone)]
pub struct Relay {
    tx: mpsc::UnboundedSender<(String, pb::Event)>,
}

impl Relay {
    pub fn publish(&self, user_id: &str, event: pb::Event) {
        let _ = self.tx.send((user_id.to_string(), event));
    }
}

/// Starts the writer and the listener; returns the relay and their tasks (abort them on
/// shutdown).
pub async fn start(store: Store, hub: Hub) -> anyhow::Result<(Relay, Vec<tokio::task::JoinHandle<()>>)> {
    let url = store.postgres_url().ok_or_else(|| anyhow::anyhow!("live events between instances need PostgreSQL"))?;
    let mut listener = PgListener::connect(url).await?;
    listener.listen(CHANNEL).await?;
    let (tx, rx) = mpsc::unbounded_channel();
    let writer = tokio::spawn(write(store.clone(), hub.clone(), rx));
    let reader = tokio::spawn(listen(store, hub, listener));
    Ok((Relay { tx }, vec![writer, reader]))
}

async fn write(store: Store, hub: Hub, mut rx: mpsc::UnboundedReceiver<(String, pb::Event)>) {
    let mut batch = Vec::with_capacity(BATCH);
    while rx.recv_many(&mut batch, BATCH).await > 0 {
        if let Err(e) = write_batch(&store, &batch).await {
            // Not shared, but not lost for this instance's own streams.
            tracing::warn!(error = %e, events = batch.len(), "live events could not be shared; delivered here only");
            for (user, event) in batch.drain(..) {
                hub.publish(&user, event);
            }
        }
        batch.clear();
    }
}

async fn write_batch(store: &Store, batch: &[(String, pb::Event)]) -> Result<(), sqlx::Error> {
    let users: Vec<String> = batch.iter().map(|(u, _)| u.clone()).collect();
    let bodies: Vec<String> = batch.iter().map(|(_, e)| hex(&e.encode_to_vec())).collect();
    let mut conn: Conn = store.read().await?;
    q(sql!(
        sqlite: "",
        postgres: "WITH added AS (
            INSERT INTO live_events (user_id, body, created_at)
            SELECT u, decode(b, 'hex'), $3 FROM unnest($1::TEXT[], $2::TEXT[]) AS e(u, b) RETURNING id, user_id)
          SELECT pg_notify('schet_events', string_agg(id || ':' || user_id, ',' ORDER BY id)) FROM added",
    ))
    .bind(&users)
    .bind(&bodies)
    .bind(now_ms())
    .execute(&mut conn)
    .await?;
    Ok(())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

async fn listen(store: Store, hub: Hub, mut listener: PgListener) {
    loop {
        match listener.try_recv().await {
            Ok(Some(note)) => {
                if let Err(e) = deliver(&store, &hub, note.payload()).await {
                    tracing::warn!(error = %e, "reading shared live events failed; streams here will reload");
                    hub.lag_all();
                }
            }
            Ok(None) => {
                // The connection dropped (it reconnects on the next call): what was sent
                // meanwhile is lost to this instance's streams; they reconnect and reload.
                tracing::warn!("the live events connection was lost; reconnecting");
                hub.lag_all();
            }
            Err(e) => {
                tracing::warn!(error = %e, "listening for live events failed; retrying");
                hub.lag_all();
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
}

async fn deliver(store: &Store, hub: &Hub, payload: &str) -> Result<(), sqlx::Error> {
    let wanted: Vec<i64> = payload
        .split(',')
        .filter_map(|pair| pair.split_once(':'))
        .filter(|(_, user)| hub.has(user))
        .filter_map(|(id, _)| id.parse().ok())
        .collect();
    if wanted.is_empty() {
        return Ok(());
    }
    let mut conn = store.read().await?;
    let rows =
        q(sql!(sqlite: "", postgres: "SELECT id, user_id, body FROM live_events WHERE id = ANY($1) ORDER BY id"))
            .bind(&wanted)
            .fetch_all(&mut conn)
            .await?;
    for row in rows {
        let user: String = row.get("user_id")?;
        let body: Vec<u8> = row.get("body")?;
        match pb::Event::decode(body.as_slice()) {
            Ok(event) => hub.publish(&user, event),
            Err(e) => tracing::warn!(error = %e, "a shared live event could not be read"),
        }
    }
    Ok(())
}

/// Deletes shared events older than a few minutes (one instance at a time).
pub async fn prune(store: &Store) -> Result<u64, sqlx::Error> {
    let Some(turn) = store.job(crate::db::JOB_EVENTS).await? else { return Ok(0) };
    let mut tx = store.begin().await?;
    let gone = q(sql!(sqlite: "", postgres: "DELETE FROM live_events WHERE created_at < $1"))
        .bind(now_ms() - KEEP_MS)
        .execute(&mut tx)
        .await?;
    tx.commit().await?;
    turn.finish().await?;
    Ok(gone)
}
