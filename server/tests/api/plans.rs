//! Issue 15: no statement the service can issue reads a whole large table. Every statement
//! registered with `sql!` (and every shape of the invoice list) is planned by the database
//! the suite runs on (SQLite: `EXPLAIN QUERY PLAN`; PostgreSQL: `EXPLAIN` of the prepared
//! statement with sample values, with sequential scans priced out so that any usable index
//! is taken), and the test fails on a full scan of a large table or of all of one of its
//! indexes.

use crate::harness::fresh_database;
use schet_server::db::{Conn, Database, Dialect, Store, dynamic, statements};

/// Tables that grow with use. (`variables` holds a handful of rates.)
const LARGE: &[&str] = &[
    "users",
    "invoices",
    "invoice_secrets",
    "payments",
    "conversations",
    "messages",
    "images",
    "image_uses",
    "merchant_projects",
    "merchant_invoices",
    "live_events",
    "live_invoices",
];

/// Scans allowed, by a piece of the statement, and why.
const ALLOWED: &[(&str, &str)] = &[(
    "WHERE webhook_client_key <> ''",
    "on start only, and it reads the partial index of invoices whose webhook key is stored",
)];

/// Every identifier that names a large table in `sql`, and the aliases given to them.
fn large_names(sql: &str) -> Vec<String> {
    let words: Vec<String> = sql
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    let mut names: Vec<String> = LARGE.iter().map(|t| t.to_string()).collect();
    for (i, w) in words.iter().enumerate() {
        if LARGE.contains(&w.as_str()) && i > 0 && matches!(words[i - 1].as_str(), "from" | "join" | "update" | "into")
        {
            let mut next = words.get(i + 1).map(String::as_str);
            if next == Some("as") {
                next = words.get(i + 2).map(String::as_str);
            }
            if let Some(alias) = next.filter(|a| {
                !matches!(
                    *a,
                    "where"
                        | "join"
                        | "left"
                        | "on"
                        | "set"
                        | "order"
                        | "group"
                        | "limit"
                        | "select"
                        | "values"
                        | "cross"
                        | "inner"
                        | "union"
                        | "returning"
                )
            }) {
                names.push(alias.to_string());
            }
        }
    }
    names
}

/// SQLite: lines `SCAN x` (a whole table, or all of an index) naming a large table.
async fn sqlite_scans(conn: &mut Conn, sql: &str) -> Result<Vec<String>, String> {
    let rows = dynamic(format!("EXPLAIN QUERY PLAN {sql}")).fetch_all(conn).await.map_err(|e| e.to_string())?;
    let large = large_names(sql);
    let mut found = Vec::new();
    for row in rows {
        let detail: String = row.at(3).map_err(|e| e.to_string())?;
        if let Some(rest) = detail.strip_prefix("SCAN ") {
            let target = rest.split_whitespace().next().unwrap_or_default().to_ascii_lowercase();
            if large.contains(&target) {
                found.push(detail);
            }
        }
    }
    Ok(found)
}

/// The highest `$n` in `sql`.
fn parameters(sql: &str) -> usize {
    let bytes = sql.as_bytes();
    let mut max = 0;
    for (i, b) in bytes.iter().enumerate() {
        if *b == b'$' {
            let digits: String = sql[i + 1..].chars().take_while(char::is_ascii_digit).collect();
            if let Ok(n) = digits.parse::<usize>() {
                max = max.max(n);
            }
        }
    }
    max
}

/// PostgreSQL: the plan's sequential scans, and index scans without a condition (all of an
/// index), of large tables. The statement is prepared (a parameter it does not use is
/// declared `text`), then planned for sample values of each parameter's type, as
/// PostgreSQL plans the first executions of a prepared statement.
async fn postgres_scans(conn: &mut Conn, sql: &str, n: usize) -> Result<Vec<String>, String> {
    let name = format!("plan_{n}");
    let run = |text: String| dynamic(text);
    let count = parameters(sql);
    let mut types = vec!["unknown"; count];
    loop {
        let declared = if count == 0 { String::new() } else { format!("({})", types.join(", ")) };
        match run(format!("PREPARE {name}{declared} AS {sql}")).execute(conn).await {
            Ok(_) => break,
            Err(e) => {
                let text = e.to_string();
                let unused = text
                    .split("could not determine data type of parameter $")
                    .nth(1)
                    .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
                    .and_then(|k| k.parse::<usize>().ok())
                    .filter(|k| (1..=count).contains(k) && types[k - 1] == "unknown");
                match unused {
                    Some(k) => types[k - 1] = "text",
                    None => return Err(text),
                }
            }
        }
    }
    let declared: Vec<String> = if count == 0 {
        Vec::new()
    } else {
        run(format!("SELECT CAST(unnest(parameter_types) AS TEXT) FROM pg_prepared_statements WHERE name = '{name}'"))
            .scalars(conn)
            .await
            .map_err(|e| e.to_string())?
    };
    let values: Vec<&str> = declared
        .iter()
        .map(|t| match t.as_str() {
            "bigint" | "integer" | "smallint" | "numeric" => "20",
            "boolean" => "false",
            "bytea" => "'\\x00'",
            "bigint[]" => "'{1}'",
            "text[]" => "'{x}'",
            _ => "'x'",
        })
        .collect();
    let execute =
        if values.is_empty() { format!("EXECUTE {name}") } else { format!("EXECUTE {name}({})", values.join(", ")) };
    let plan: Result<Vec<String>, String> =
        run(format!("EXPLAIN {execute}")).scalars(conn).await.map_err(|e| e.to_string());
    run(format!("DEALLOCATE {name}")).execute(conn).await.map_err(|e| e.to_string())?;
    Ok(whole_scans(&plan?))
}

/// The scan nodes of a text plan that read all of a large table or index.
fn whole_scans(lines: &[String]) -> Vec<String> {
    let mut found = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let node = line.trim_start().trim_start_matches("->").trim_start();
        let kind = ["Seq Scan", "Index Only Scan", "Index Scan"].into_iter().find(|k| node.starts_with(k));
        let Some(kind) = kind else { continue };
        let relation = node.split(" on ").nth(1).and_then(|r| r.split_whitespace().next()).unwrap_or_default();
        if !LARGE.contains(&relation) {
            continue;
        }
        // The node's own details are the lines below it, more indented, up to the next node.
        let depth = line.len() - line.trim_start().len();
        let has_condition = lines[i + 1..]
            .iter()
            .take_while(|l| !l.trim_start().starts_with("->") && l.len() - l.trim_start().len() > depth)
            .any(|l| l.trim_start().starts_with("Index Cond:"));
        if kind == "Seq Scan" || !has_condition {
            found.push(node.split("  (").next().unwrap_or(node).to_string());
        }
    }
    found
}

/// PostgreSQL plans by its statistics: an empty database says nothing about which index
/// is selective. Tables of the shape the service makes (200 users; 50,000 invoices, a tenth
/// private, most active; purchases, secrets, conversations, messages, images shown across
/// the whole history, merchant invoices, live events), analyzed.
const POSTGRES_FIXTURE: &str = "
INSERT INTO users (id, username, token_hash, balance, created_at, last_online)
    SELECT 'u' || g, 'user' || g, decode(md5(g::text), 'hex'), 1, 0, 0 FROM generate_series(1, 200) g;
INSERT INTO invoices (owner_id, target_user_id, is_private, is_base_crypto, price, fiat_currency, price_variable,
        ttl_minutes, comment, pieces_min, pieces_max, limit_liquidity, status, created_at, valid_to, fee,
        refund_payment_id, webhook_client_key)
    SELECT 'u' || (g % 200 + 1), CASE WHEN g % 10 = 0 THEN 'u' || ((g + 7) % 200 + 1) END, g % 10 = 0, TRUE, 0.01,
        '', '', 60, 'x', 1, 5, g % 3 = 0, CASE WHEN g % 20 = 0 THEN 4 WHEN g % 30 = 0 THEN 3 ELSE 0 END, g,
        4102444800000, 0, CASE WHEN g % 500 = 0 THEN g END, CASE WHEN g % 1000 = 0 THEN 'sealed:v1:x' ELSE '' END
    FROM generate_series(1, 50000) g;
INSERT INTO payments (invoice_id, buyer_id, seller_id, pieces, crypto_amount, status, created_at, idempotency_key,
        reserved_at)
    SELECT g * 2, 'u' || ((g + 3) % 200 + 1), 'u' || ((g * 2) % 200 + 1), 1, 0.01, 1, g, 'k' || g,
        CASE WHEN g % 1000 = 0 THEN g END
    FROM generate_series(1, 20000) g;
INSERT INTO invoice_secrets (invoice_id, text, position, payment_id, wire_bytes)
    SELECT g % 5000 + 1, 's', g, CASE WHEN g % 4 = 0 THEN g / 4 END, 41 FROM generate_series(1, 20000) g;
INSERT INTO conversations (invoice_id, seller_id, buyer_id, updated_at)
    SELECT g, 'u' || (g % 200 + 1), 'u' || ((g + 5) % 200 + 1), g FROM generate_series(1, 2000) g;
INSERT INTO messages (conversation_id, owner_id, text, created_at)
    SELECT g % 2000 + 1, 'u' || (g % 200 + 1), 'hello', g FROM generate_series(1, 20000) g;
INSERT INTO images (id, owner_id, mime, original, preview, created_at, bytes)
    SELECT 'img' || g, 'u' || (g % 200 + 1), 'image/png', '\\x00', '\\x00', g, 2 FROM generate_series(1, 500) g;
INSERT INTO image_uses (image_id, invoice_id) SELECT 'img' || (g % 500 + 1), g * 10 FROM generate_series(1, 5000) g;
INSERT INTO image_uses (image_id, message_id) SELECT 'img' || (g % 500 + 1), g * 10 FROM generate_series(1, 2000) g;
INSERT INTO image_uses (image_id, secret_id) SELECT 'img' || (g % 500 + 1), g * 10 FROM generate_series(1, 2000) g;
INSERT INTO merchant_projects (owner_id, shop_id, name) SELECT 'u' || g, 'shop', 'shop' FROM generate_series(1, 200) g;
INSERT INTO merchant_invoices (uuid, owner_id, project_id, fiat_currency, amount_in_fiat, amount_usd, crypto,
        usd_per_coin, amount, fee, service_fee, status, created_at, expiry_at)
    SELECT 'INV-' || g, 'u' || (g % 200 + 1), g % 200 + 1, 'USD', 1, 1, 'BTC', 1, 1, 0, 0, 'created', g, g
    FROM generate_series(1, 5000) g;
INSERT INTO live_events (user_id, body, created_at) SELECT 'u' || (g % 200 + 1), '\\x00', g FROM generate_series(1, 2000) g;
ANALYZE;
";

async fn check(db: Database) {
    let store = Store::open(&db).await.unwrap();
    let mut conn = store.read().await.unwrap();
    let dialect = store.dialect();
    if dialect == Dialect::Postgres {
        let mut tx = store.begin().await.unwrap();
        for statement in POSTGRES_FIXTURE.split(';').filter(|s| !s.trim().is_empty()) {
            dynamic(statement.to_string()).execute(&mut tx).await.unwrap();
        }
        tx.commit().await.unwrap();
        dynamic("SET enable_seqscan = off".into()).execute(&mut conn).await.unwrap();
        dynamic("SET plan_cache_mode = force_custom_plan".into()).execute(&mut conn).await.unwrap();
    }
    let mut texts: Vec<(String, String)> = statements()
        .map(|s| {
            let text = if dialect == Dialect::Sqlite { s.sqlite } else { s.postgres };
            (s.at.to_string(), text.to_string())
        })
        .filter(|(_, text)| !text.is_empty())
        .collect();
    texts.sort();
    texts.dedup();
    let registered = texts.len();
    texts.extend(schet_server::service::invoice_list_shapes().into_iter().map(|s| ("GetInvoices".to_string(), s)));
    assert!(registered > 80, "the registry holds every statement ({registered} found)");
    let mut problems = Vec::new();
    for (n, (at, sql)) in texts.iter().enumerate() {
        let scans = match dialect {
            Dialect::Sqlite => sqlite_scans(&mut conn, sql).await,
            Dialect::Postgres => postgres_scans(&mut conn, sql, n).await,
        };
        match scans {
            Err(e) => problems.push(format!("{at}: cannot be planned: {e}\n    {sql}")),
            Ok(scans) if !scans.is_empty() => {
                if ALLOWED.iter().any(|(piece, _)| sql.contains(piece)) {
                    continue;
                }
                problems.push(format!("{at}: {}\n    {sql}", scans.join("; ")));
            }
            Ok(_) => {}
        }
    }
    println!("planned {} statements ({registered} registered, the rest shapes of GetInvoices)", texts.len());
    drop(conn);
    store.close().await;
    assert!(problems.is_empty(), "{} statement(s) scan a large table:\n{}", problems.len(), problems.join("\n"));
}

#[tokio::test]
async fn no_statement_reads_a_whole_large_table() {
    let dir = std::env::temp_dir().join(format!("schet-plans-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    check(fresh_database(&dir).await).await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn aliases_of_large_tables_are_known() {
    let names =
        large_names("SELECT x FROM invoices i JOIN users o ON o.id = i.owner_id JOIN payments AS p ON p.id = 1");
    for n in ["i", "o", "p", "invoices"] {
        assert!(names.contains(&n.to_string()), "{n} in {names:?}");
    }
    assert_eq!(parameters("a = $1 AND b = $12 OR $3"), 12);
    let plan: Vec<String> = [
        "Limit  (cost=0.15..8.17 rows=1 width=8)",
        "  ->  Index Scan Backward using invoices_pkey on invoices i  (cost=0.15..8.17 rows=1 width=8)",
        "        Filter: (owner_id = $1)",
        "  ->  Index Scan using users_pkey on users o  (cost=0.15..8.17 rows=1 width=8)",
        "        Index Cond: (id = i.owner_id)",
        "  ->  Seq Scan on variables  (cost=0.00..1.01 rows=1 width=8)",
    ]
    .map(String::from)
    .to_vec();
    assert_eq!(whole_scans(&plan), vec!["Index Scan Backward using invoices_pkey on invoices i"]);
}
