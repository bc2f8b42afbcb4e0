//! The one door to the database: SQLite (embedded, one instance: the default) or PostgreSQL
//! (one database shared by several instances), chosen by the `--database` URL.
//!
//! The domain (`service/`) writes each statement once, in SQL both understand, with `$1`
//! parameters, through [`sql!`](crate::sql): every statement is registered ([`statements`]),
//! so one test asks each database for its plan of every one of them. Where the dialects must
//! differ (row locks, lateral joins), a statement names both texts.
//!
//! - SQLite: WAL; writes go through one connection, taken in turn ([`writer`]), so every
//!   write transaction runs alone; reads use a separate read-only pool and never wait for
//!   writes. Each connection's page cache is bounded (memory stays flat as the file
//!   grows). Money is exact decimal text.
//! - PostgreSQL: one pool; write transactions run at READ COMMITTED and lock what they read
//!   to change (`SELECT … FOR UPDATE`, in a fixed order: invoice, payment, users by id, and
//!   last an owner's count of live invoices, which triggers change with an invoice's status).
//!   Money is `NUMERIC`.
//!
//! Each service call is one transaction ([`Store::begin`]); prepared statements are cached
//! per connection by sqlx.

mod migrate;
mod query;
mod stmt;
mod writer;

pub use query::{Col, Query, Row, Value, dynamic, q};
pub use stmt::{Registered, Stmt, statements};

use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Postgres, Sqlite, Transaction};
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;
use writer::{WriteTx, Writer};

/// Which SQL a connection speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// Where the data lives: `postgres://…` (or `postgresql://…`) selects PostgreSQL; a file
/// path, or `sqlite:PATH`, SQLite.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Database {
    Sqlite(PathBuf),
    Postgres(String),
}

impl FromStr for Database {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            PgConnectOptions::from_str(text).map_err(|e| format!("not a PostgreSQL URL: {e}"))?;
            return Ok(Database::Postgres(text.to_string()));
        }
        let path = text.strip_prefix("sqlite://").or_else(|| text.strip_prefix("sqlite:")).unwrap_or(text);
        if path.is_empty() {
            return Err("an empty database path: give a file, sqlite:PATH or postgres://USER@HOST/DB".into());
        }
        Ok(Database::Sqlite(PathBuf::from(path)))
    }
}

impl Database {
    /// As `--database` takes it (with any password: not for messages).
    pub fn to_arg(&self) -> String {
        match self {
            Database::Sqlite(path) => path.display().to_string(),
            Database::Postgres(url) => url.clone(),
        }
    }
}

impl std::fmt::Display for Database {
    /// For messages: a PostgreSQL password is never shown.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Database::Sqlite(path) => write!(f, "{}", path.display()),
            Database::Postgres(url) => match (url.find("://"), url.rfind('@')) {
                (Some(scheme), Some(at)) if at > scheme => {
                    let userinfo = &url[scheme + 3..at];
                    let user = userinfo.split(':').next().unwrap_or_default();
                    let hidden = if userinfo.contains(':') { ":***" } else { "" };
                    write!(f, "{}{user}{hidden}{}", &url[..scheme + 3], &url[at..])
                }
                _ => write!(f, "{url}"),
            },
        }
    }
}

impl From<PathBuf> for Database {
    fn from(path: PathBuf) -> Self {
        Database::Sqlite(path)
    }
}

impl From<&std::path::Path> for Database {
    fn from(path: &std::path::Path) -> Self {
        Database::Sqlite(path.to_path_buf())
    }
}

impl From<&PathBuf> for Database {
    fn from(path: &PathBuf) -> Self {
        Database::Sqlite(path.clone())
    }
}

impl From<&Database> for Database {
    fn from(database: &Database) -> Self {
        database.clone()
    }
}

#[derive(Debug)]
enum Pools {
    Sqlite { read: SqlitePool, write: Writer },
    Postgres { pool: PgPool, url: String },
}

/// The open database: cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    pools: Arc<Pools>,
}

/// Advisory locks of the periodic jobs that run once across instances (PostgreSQL).
pub const JOB_SWEEP: i64 = 0x5343_4845_5400_0010;
pub const JOB_RELEASE: i64 = 0x5343_4845_5400_0011;
pub const JOB_EVENTS: i64 = 0x5343_4845_5400_0012;

/// Prepared statements kept per connection (the list query has many shapes).
const STATEMENT_CACHE: usize = 512;

/// SQLite's page cache per connection, in KiB: bounded (SQLite's default is 2 MiB each),
/// so that the service's memory stays flat however large the file grows (`cargo xtask
/// bench --service`, scale). A page the cache has let go is read again from the operating
/// system's file cache. The writer keeps more: every insert walks the same index paths.
///
/// The bundled SQLite is built with `SQLITE_ENABLE_MEMORY_MANAGEMENT`, so these are not
/// separate caches but shares of one pool, their sum, with one LRU list for every
/// connection. A reader's share must hold what a page of the largest list touches: its
/// rows sit in as many table pages as the page has rows once the table is large (a user's
/// newest 100 invoices lie among everyone's), about half a MiB with the joins' pages, and
/// successive calls take alternate readers. At 256 KiB the pool held less than a few calls
/// in turn need, at 100,000 invoices the LRU evicted pages just before their next use, and
/// two in three of GetInvoicePayments's page reads missed (1.3x slower than at 1,000
/// invoices); at 1 MiB none miss. Only pages read are held: the pool grows to the calls'
/// working set (some 1 MiB), whatever the file's size.
const READER_CACHE_KIB: u32 = 1024;
const WRITER_CACHE_KIB: u32 = 512;

impl Store {
    /// Opens (creating an SQLite file if needed) and brings the schema up to date.
    pub async fn open(database: impl Into<Database>) -> Result<Store, sqlx::Error> {
        let pools = match &database.into() {
            Database::Sqlite(path) => {
                let options = SqliteConnectOptions::new()
                    .filename(path)
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(5))
                    .statement_cache_capacity(STATEMENT_CACHE)
                    .pragma("temp_store", "memory");
                let cache = |kib: u32| format!("-{kib}");
                let write = Writer::open(&options.clone().pragma("cache_size", cache(WRITER_CACHE_KIB))).await?;
                migrate::sqlite(write.turn().await?.conn()).await?;
                let read = SqlitePoolOptions::new()
                    .max_connections(4)
                    .connect_with(options.read_only(true).pragma("cache_size", cache(READER_CACHE_KIB)))
                    .await?;
                Pools::Sqlite { read, write }
            }
            Database::Postgres(url) => {
                let options = PgConnectOptions::from_str(url)?.statement_cache_capacity(STATEMENT_CACHE);
                let pool = PgPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_with(options)
                    .await?;
                migrate::postgres(&pool).await?;
                Pools::Postgres { pool, url: url.clone() }
            }
        };
        Ok(Store { pools: Arc::new(pools) })
    }

    pub fn dialect(&self) -> Dialect {
        match &*self.pools {
            Pools::Sqlite { .. } => Dialect::Sqlite,
            Pools::Postgres { .. } => Dialect::Postgres,
        }
    }

    /// Whether other instances may use this database at the same time (PostgreSQL): periodic
    /// jobs then take a lock first, and live events travel through the database.
    pub fn is_shared(&self) -> bool {
        self.dialect() == Dialect::Postgres
    }

    /// A connection for reads, outside any transaction.
    pub async fn read(&self) -> Result<Conn, sqlx::Error> {
        Ok(Conn(match &*self.pools {
            Pools::Sqlite { read, .. } => Inner::LiteRead(read.acquire().await?),
            Pools::Postgres { pool, .. } => Inner::PgRead(pool.acquire().await?),
        }))
    }

    /// Reads that must agree with each other (a count and its page): one snapshot.
    pub async fn snapshot(&self) -> Result<Conn, sqlx::Error> {
        Ok(Conn(match &*self.pools {
            Pools::Sqlite { read, .. } => Inner::LiteTx(read.begin().await?),
            Pools::Postgres { pool, .. } => {
                Inner::PgTx(pool.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY").await?)
            }
        }))
    }

    /// A write transaction (rolled back unless [`Conn::commit`]ted).
    pub async fn begin(&self) -> Result<Conn, sqlx::Error> {
        Ok(Conn(match &*self.pools {
            Pools::Sqlite { write, .. } => Inner::LiteWrite(write.begin().await?),
            Pools::Postgres { pool, .. } => Inner::PgTx(pool.begin().await?),
        }))
    }

    /// For a periodic job that must run once across instances: None when another instance
    /// is running it now. (PostgreSQL: a transaction-scoped advisory lock on a connection
    /// of its own, released when the [`Job`] is dropped; SQLite: one instance, always.)
    pub async fn job(&self, key: i64) -> Result<Option<Job>, sqlx::Error> {
        match &*self.pools {
            Pools::Sqlite { .. } => Ok(Some(Job(None))),
            Pools::Postgres { pool, .. } => {
                let mut tx = Conn(Inner::PgTx(pool.begin().await?));
                Ok(if tx.try_job_lock(key).await? { Some(Job(Some(tx))) } else { None })
            }
        }
    }

    /// The PostgreSQL URL, for a listening connection of its own.
    pub fn postgres_url(&self) -> Option<&str> {
        match &*self.pools {
            Pools::Postgres { url, .. } => Some(url),
            Pools::Sqlite { .. } => None,
        }
    }

    pub async fn close(&self) {
        match &*self.pools {
            Pools::Sqlite { read, write } => {
                read.close().await;
                write.close().await;
            }
            Pools::Postgres { pool, .. } => pool.close().await,
        }
    }
}

enum Inner {
    LiteRead(PoolConnection<Sqlite>),
    LiteTx(Transaction<'static, Sqlite>),
    LiteWrite(WriteTx),
    PgRead(PoolConnection<Postgres>),
    PgTx(Transaction<'static, Postgres>),
}

/// A connection, in a transaction or not; what every query runs on.
pub struct Conn(Inner);

pub(crate) enum Raw<'a> {
    Lite(&'a mut SqliteConnection),
    Pg(&'a mut PgConnection),
}

impl Conn {
    pub fn dialect(&self) -> Dialect {
        match &self.0 {
            Inner::LiteRead(_) | Inner::LiteTx(_) | Inner::LiteWrite(_) => Dialect::Sqlite,
            Inner::PgRead(_) | Inner::PgTx(_) => Dialect::Postgres,
        }
    }

    pub(crate) fn raw(&mut self) -> Raw<'_> {
        match &mut self.0 {
            Inner::LiteRead(c) => Raw::Lite(c),
            Inner::LiteTx(t) => Raw::Lite(t),
            Inner::LiteWrite(t) => Raw::Lite(t.conn()),
            Inner::PgRead(c) => Raw::Pg(c),
            Inner::PgTx(t) => Raw::Pg(t),
        }
    }

    /// Commits the transaction (a connection outside one has nothing to commit).
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        match self.0 {
            Inner::LiteTx(t) => t.commit().await,
            Inner::LiteWrite(t) => t.commit().await,
            Inner::PgTx(t) => t.commit().await,
            Inner::LiteRead(_) | Inner::PgRead(_) => Ok(()),
        }
    }

    /// PostgreSQL: takes the transaction-scoped advisory lock `key` if no one holds it
    /// (SQLite, one instance: always true). For jobs that must run once across instances.
    pub async fn try_job_lock(&mut self, key: i64) -> Result<bool, sqlx::Error> {
        match self.raw() {
            Raw::Lite(_) => Ok(true),
            Raw::Pg(c) => sqlx::query_scalar("SELECT pg_try_advisory_xact_lock($1)").bind(key).fetch_one(c).await,
        }
    }
}

/// A periodic job's turn ([`Store::job`]): [`Job::finish`] ends it (dropped, it ends when
/// its connection is next used).
pub struct Job(Option<Conn>);

impl Job {
    pub async fn finish(self) -> Result<(), sqlx::Error> {
        match self.0 {
            Some(tx) => tx.commit().await,
            None => Ok(()),
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_chooses_the_store() {
        assert_eq!("data/schet.db".parse(), Ok(Database::Sqlite("data/schet.db".into())));
        assert_eq!("sqlite:x.db".parse(), Ok(Database::Sqlite("x.db".into())));
        assert_eq!("sqlite:///tmp/x.db".parse(), Ok(Database::Sqlite("/tmp/x.db".into())));
        let pg: Database = "postgres://schet:secret@localhost:5432/schet".parse().unwrap();
        assert_eq!(pg, Database::Postgres("postgres://schet:secret@localhost:5432/schet".into()));
        assert_eq!(pg.to_string(), "postgres://schet:***@localhost:5432/schet", "no password in messages");
        assert!("postgresql://u@h/db".parse::<Database>().is_ok());
        assert!("".parse::<Database>().is_err());
        assert!("sqlite:".parse::<Database>().is_err());
    }
}
