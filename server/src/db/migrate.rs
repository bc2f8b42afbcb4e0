//! Schema versions, the same numbers for both dialects (`migrations/sqlite`,
//! `migrations/postgres`), applied in order on start.

use sqlx::sqlite::SqliteConnection;
use sqlx::{Connection, PgPool};

const SQLITE: &[(i64, &str)] = &[
    (1, include_str!("../../migrations/sqlite/0001_init.sql")),
    (2, include_str!("../../migrations/sqlite/0002_trade.sql")),
    (3, include_str!("../../migrations/sqlite/0003_merchant.sql")),
    (4, include_str!("../../migrations/sqlite/0004_abuse.sql")),
    (5, include_str!("../../migrations/sqlite/0005_scale.sql")),
    (6, include_str!("../../migrations/sqlite/0006_private_lists.sql")),
    (7, include_str!("../../migrations/sqlite/0007_live_invoices.sql")),
];

const POSTGRES: &[(i64, &str)] = &[
    (1, include_str!("../../migrations/postgres/0001_init.sql")),
    (2, include_str!("../../migrations/postgres/0002_trade.sql")),
    (3, include_str!("../../migrations/postgres/0003_merchant.sql")),
    (4, include_str!("../../migrations/postgres/0004_abuse.sql")),
    (5, include_str!("../../migrations/postgres/0005_scale.sql")),
    (6, include_str!("../../migrations/postgres/0006_private_lists.sql")),
    (7, include_str!("../../migrations/postgres/0007_live_invoices.sql")),
];

/// The advisory lock instances take to migrate one at a time.
const MIGRATION_LOCK: i64 = 0x5343_4845_5400_0001;

/// `PRAGMA user_version` records the last version applied.
pub(super) async fn sqlite(conn: &mut SqliteConnection) -> Result<(), sqlx::Error> {
    let mut tx = conn.begin().await?;
    let current: i64 = sqlx::query_scalar("PRAGMA user_version").fetch_one(&mut *tx).await?;
    for &(version, sql) in SQLITE.iter().filter(|(v, _)| *v > current) {
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&mut *tx).await?;
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("PRAGMA user_version = {version}"))).execute(&mut *tx).await?;
        tracing::info!(version, "applied database migration");
    }
    tx.commit().await
}

/// Table `schema_version` records the versions applied; instances starting together take
/// turns (an advisory lock), so each version is applied once.
pub(super) async fn postgres(pool: &PgPool) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin().await?;
    sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(MIGRATION_LOCK).execute(&mut *tx).await?;
    sqlx::raw_sql("CREATE TABLE IF NOT EXISTS schema_version (version BIGINT PRIMARY KEY)").execute(&mut *tx).await?;
    let current: Option<i64> =
        sqlx::query_scalar("SELECT MAX(version) FROM schema_version").fetch_one(&mut *tx).await?;
    for &(version, sql) in POSTGRES.iter().filter(|(v, _)| *v > current.unwrap_or(0)) {
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&mut *tx).await?;
        sqlx::query("INSERT INTO schema_version (version) VALUES ($1)").bind(version).execute(&mut *tx).await?;
        tracing::info!(version, "applied database migration");
    }
    tx.commit().await
}

#[cfg(test)]
mod tests {
    #[test]
    fn both_dialects_have_the_same_versions() {
        let versions = |list: &[(i64, &str)]| list.iter().map(|(v, _)| *v).collect::<Vec<_>>();
        assert_eq!(versions(super::SQLITE), versions(super::POSTGRES));
        assert!(versions(super::SQLITE).windows(2).all(|w| w[1] == w[0] + 1));
    }
}
