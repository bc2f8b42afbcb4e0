//! The database a test runs on: a fresh SQLite file, or, when `SCHET_TEST_POSTGRES` names a
//! PostgreSQL server (`postgres://USER@HOST:PORT/DB`, a database to connect to for creating
//! others; `cargo xtask test` starts a throwaway cluster and sets it), a fresh PostgreSQL
//! database: the same suites run on both stores.

use schet_server::db::Database;

/// A new, empty directory of one test's own: `<temp>/schet-<suite>-test-<pid>-<n>`.
pub fn test_dir(suite: &str) -> std::path::PathBuf {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let n = N.fetch_add(1, Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!("schet-{suite}-test-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The PostgreSQL server the suites run against, if any.
pub fn postgres() -> Option<String> {
    std::env::var("SCHET_TEST_POSTGRES").ok().filter(|u| !u.trim().is_empty())
}

/// A database of its own for one test: an SQLite file in `dir`, or a new PostgreSQL
/// database on the test cluster (the cluster is thrown away after the run).
pub async fn fresh_database(dir: &std::path::Path) -> Database {
    let Some(admin) = postgres() else { return Database::Sqlite(dir.join("test.db")) };
    use sqlx::Connection;
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let name = format!("schet_test_{}_{}", std::process::id(), N.fetch_add(1, Ordering::SeqCst));
    let mut conn = sqlx::PgConnection::connect(&admin).await.expect("connect to the test PostgreSQL");
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name}"))).execute(&mut conn).await.unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut conn).await.unwrap();
    conn.close().await.unwrap();
    let base = admin.split('?').next().unwrap_or(&admin);
    let base = &base[..base.rfind('/').expect("a database in the URL")];
    Database::Postgres(format!("{base}/{name}"))
}
