//! Every statement the service runs, registered where it is written.

/// One statement, in each dialect's text (the same text unless they must differ), and
/// where it is written.
#[derive(Debug)]
pub struct Stmt {
    pub sqlite: &'static str,
    pub postgres: &'static str,
    pub at: &'static str,
}

/// An entry of the registry of statements.
pub struct Registered(pub &'static Stmt);

inventory::collect!(Registered);

/// Every statement written with [`sql!`](crate::sql) anywhere in the service.
pub fn statements() -> impl Iterator<Item = &'static Stmt> {
    inventory::iter::<Registered>.into_iter().map(|r| r.0)
}

/// A statement, registered for the plan test: `sql!("SELECT … WHERE id = $1")`.
///
/// - `sql!(lock: "SELECT … FROM t WHERE …")`: PostgreSQL locks the rows read
///   (`FOR UPDATE`); SQLite needs no lock (one writer at a time).
/// - `sql!(sqlite: "…", postgres: "…")`: where the dialects differ.
///
/// The text may be built with `concat!` from literals and macros that expand to literals.
#[macro_export]
macro_rules! sql {
    (sqlite: $lite:expr, postgres: $pg:expr $(,)?) => {{
        static STMT: $crate::db::Stmt =
            $crate::db::Stmt { sqlite: $lite, postgres: $pg, at: concat!(file!(), ":", line!()) };
        ::inventory::submit! { $crate::db::Registered(&STMT) }
        &STMT
    }};
    (lock: $($text:tt)+) => {
        $crate::sql!(sqlite: concat!($($text)+), postgres: concat!($($text)+, " FOR UPDATE"))
    };
    ($($text:tt)+) => {
        $crate::sql!(sqlite: concat!($($text)+), postgres: concat!($($text)+))
    };
}

/// `sql_in!(["SELECT … WHERE x"] 1 [" ORDER BY …"])`: `x` in the list bound as `$1`
/// ([`Value::Ints`](crate::db::Value) or `Texts`): SQLite reads it with `json_each`,
/// PostgreSQL as an array (`= ANY`). Registered like [`sql!`](crate::sql).
#[macro_export]
macro_rules! sql_in {
    ([$($a:tt)+] $n:literal [$($b:tt)*]) => {
        $crate::sql!(
            sqlite: concat!($($a)+, " IN (SELECT value FROM json_each($", $n, "))", $($b)*),
            postgres: concat!($($a)+, " = ANY($", $n, ")", $($b)*),
        )
    };
}
