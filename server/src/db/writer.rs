//! SQLite's one writing connection, taken in turn (first come, first served), and the write
//! transaction that holds it.
//!
//! Not a pool of one: a pool pings its connection when it is handed back and again when it
//! is taken, and gives it back from a task of its own; each of those is a round trip to the
//! connection's thread while every other writer waits. Here a transaction is `BEGIN`, its
//! statements and `COMMIT`, one round trip each, and the next writer takes over at once
//! (the load scenario, `examples/load.rs`, on 2 cores: payments/s, median of three, from
//! 653 to 780; creates/s from 1,238 to 1,471).

use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{ConnectOptions, Connection};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Mutex, OwnedMappedMutexGuard, OwnedMutexGuard};

/// How long a write waits for its turn before it fails (as long as sqlx's pools wait).
const TURN_TIMEOUT: Duration = Duration::from_secs(30);

/// WAL pages after which the writer copies them into the database (a checkpoint, after its
/// commit, while the next writer waits; SQLite's default is 1,000). Each transaction here
/// appends some 30 pages (every index an invoice or payment has), so the default made one in
/// 30 or so writes a checkpoint, with two fsyncs: they now come ten times less often, and
/// copy a page that many commits changed once. A commit is as durable as before (the WAL
/// holds it; `synchronous` is unchanged); the WAL file grows to some 40 MB.
const WAL_PAGES: &str = "10000";

#[derive(Debug)]
struct Lite {
    conn: SqliteConnection,
    /// A transaction was left open (dropped where no runtime was left to roll it back): the
    /// next writer rolls it back first.
    dirty: bool,
}

/// The writing connection; `None` once closed.
#[derive(Debug, Clone)]
pub(super) struct Writer(Arc<Mutex<Option<Lite>>>);

impl Writer {
    /// The writing connection (`options`, checkpointing every [`WAL_PAGES`]).
    pub async fn open(options: &SqliteConnectOptions) -> Result<Writer, sqlx::Error> {
        let conn = options.clone().pragma("wal_autocheckpoint", WAL_PAGES).connect().await?;
        Ok(Writer(Arc::new(Mutex::new(Some(Lite { conn, dirty: false })))))
    }

    /// The connection's turn, outside any transaction (the migrations run their own).
    pub async fn turn(&self) -> Result<WriteTx, sqlx::Error> {
        self.begin_with(None).await
    }

    /// A write transaction: this connection's turn, then `BEGIN`.
    pub async fn begin(&self) -> Result<WriteTx, sqlx::Error> {
        self.begin_with(Some("BEGIN")).await
    }

    async fn begin_with(&self, begin: Option<&'static str>) -> Result<WriteTx, sqlx::Error> {
        let guard: OwnedMutexGuard<Option<Lite>> = tokio::time::timeout(TURN_TIMEOUT, self.0.clone().lock_owned())
            .await
            .map_err(|_| sqlx::Error::PoolTimedOut)?;
        let mut lite = OwnedMutexGuard::try_map(guard, Option::as_mut).map_err(|_| sqlx::Error::PoolClosed)?;
        if lite.dirty {
            // Nothing to roll back is no error.
            let _ = sqlx::query("ROLLBACK").execute(&mut lite.conn).await;
            lite.dirty = false;
        }
        // Open before BEGIN is sent: a BEGIN run but not answered (the caller gone) is
        // still rolled back.
        let mut tx = WriteTx { lite: Some(lite), open: begin.is_some() };
        if let Some(begin) = begin {
            sqlx::query(begin).execute(tx.conn()).await?;
        }
        Ok(tx)
    }

    /// Closes the connection (after the transaction in progress, if any).
    pub async fn close(&self) {
        if let Some(lite) = self.0.lock().await.take() {
            let _ = lite.conn.close().await;
        }
    }
}

/// A write transaction on the writing connection: rolled back unless [`WriteTx::commit`]ted.
pub(super) struct WriteTx {
    lite: Option<OwnedMappedMutexGuard<Option<Lite>, Lite>>,
    open: bool,
}

impl WriteTx {
    pub fn conn(&mut self) -> &mut SqliteConnection {
        &mut self.lite.as_mut().expect("held until dropped").conn
    }

    pub async fn commit(mut self) -> Result<(), sqlx::Error> {
        sqlx::query("COMMIT").execute(self.conn()).await?;
        self.open = false;
        Ok(())
    }
}

impl Drop for WriteTx {
    /// Not committed: rolled back before the next writer's turn (which waits for it).
    fn drop(&mut self) {
        let Some(mut lite) = self.lite.take() else { return };
        if !self.open {
            return;
        }
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                runtime.spawn(async move {
                    if sqlx::query("ROLLBACK").execute(&mut lite.conn).await.is_err() {
                        // Not in a transaction (BEGIN failed, or COMMIT ran unanswered).
                        tracing::debug!("rollback of a dropped write transaction: none was open");
                    }
                });
            }
            Err(_) => lite.dirty = true,
        }
    }
}
