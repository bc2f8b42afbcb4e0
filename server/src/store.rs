//! SQLite storage: opening, migrations, and the two pools.
//!
//! Writes go through a one-connection pool, so every write transaction runs alone and
//! never meets SQLITE_BUSY; reads use a separate pool and, thanks to WAL, never wait for
//! writes. Each service call is one transaction.

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use std::path::Path;
use std::time::Duration;

/// Schema versions, applied in order; `PRAGMA user_version` records the last one applied.
const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../migrations/0001_init.sql")),
    (2, include_str!("../migrations/0002_trade.sql")),
    (3, include_str!("../migrations/0003_merchant.sql")),
    (4, include_str!("../migrations/0004_abuse.sql")),
];

#[derive(Clone, Debug)]
pub struct Store {
    pub read: SqlitePool,
    pub write: SqlitePool,
}

impl Store {
    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    pub async fn open(path: &Path) -> Result<Store, sqlx::Error> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5));
        let write = SqlitePoolOptions::new().max_connections(1).connect_with(options.clone()).await?;
        migrate(&write).await?;
        let read = SqlitePoolOptions::new().max_connections(4).connect_with(options.read_only(true)).await?;
        Ok(Store { read, write })
    }

    pub async fn close(&self) {
        self.read.close().await;
        self.write.close().await;
    }
}

async fn migrate(pool: &SqlitePool) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin().await?;
    let current: i64 = sqlx::query_scalar("PRAGMA user_version").fetch_one(&mut *tx).await?;
    for &(version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > current) {
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&mut *tx).await?;
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("PRAGMA user_version = {version}"))).execute(&mut *tx).await?;
        tracing::info!(version, "applied database migration");
    }
    tx.commit().await
}

/// Now, in Unix milliseconds.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// Unix milliseconds → protobuf Timestamp.
pub fn timestamp(ms: i64) -> prost_types::Timestamp {
    prost_types::Timestamp { seconds: ms.div_euclid(1000), nanos: (ms.rem_euclid(1000) * 1_000_000) as i32 }
}
