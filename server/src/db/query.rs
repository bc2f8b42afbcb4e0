//! Running a statement on either database: values to bind, rows to read.

use super::{Conn, Raw, Stmt};
use rust_decimal::Decimal;
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use sqlx::{ColumnIndex, Row as _, ValueRef};
use std::str::FromStr;

/// A value to bind. Typed even when NULL (PostgreSQL wants to know).
#[derive(Debug, Clone)]
pub enum Value {
    Int(Option<i64>),
    Text(Option<String>),
    Bool(Option<bool>),
    /// Money: exact decimal text on SQLite, `NUMERIC` on PostgreSQL.
    Dec(Option<Decimal>),
    Bytes(Option<Vec<u8>>),
    /// A list of ids: a JSON array for SQLite's `json_each($n)`, a `BIGINT[]` for
    /// PostgreSQL's `= ANY($n)`.
    Ints(Vec<i64>),
    /// A list of texts, likewise (`TEXT[]` on PostgreSQL).
    Texts(Vec<String>),
}

macro_rules! from {
    ($($t:ty => $v:ident($conv:expr)),* $(,)?) => {$(
        impl From<$t> for Value {
            fn from(x: $t) -> Value {
                let f: fn($t) -> Value = |x| Value::$v(Some($conv(x)));
                f(x)
            }
        }
    )*};
}

from! {
    i64 => Int(|x| x),
    i32 => Int(i64::from),
    u32 => Int(i64::from),
    bool => Bool(|x| x),
    String => Text(|x| x),
    &str => Text(str::to_string),
    &String => Text(String::clone),
    Decimal => Dec(|x| x),
    Vec<u8> => Bytes(|x| x),
    &[u8] => Bytes(<[u8]>::to_vec),
    &Vec<u8> => Bytes(Vec::clone),
}

impl From<Option<i64>> for Value {
    fn from(x: Option<i64>) -> Value {
        Value::Int(x)
    }
}

impl From<Option<&str>> for Value {
    fn from(x: Option<&str>) -> Value {
        Value::Text(x.map(str::to_string))
    }
}

impl From<Option<String>> for Value {
    fn from(x: Option<String>) -> Value {
        Value::Text(x)
    }
}

impl From<&Option<String>> for Value {
    fn from(x: &Option<String>) -> Value {
        Value::Text(x.clone())
    }
}

impl From<&[i64]> for Value {
    fn from(x: &[i64]) -> Value {
        Value::Ints(x.to_vec())
    }
}

impl From<&Vec<i64>> for Value {
    fn from(x: &Vec<i64>) -> Value {
        Value::Ints(x.clone())
    }
}

impl From<&[String]> for Value {
    fn from(x: &[String]) -> Value {
        Value::Texts(x.to_vec())
    }
}

impl From<&Vec<String>> for Value {
    fn from(x: &Vec<String>) -> Value {
        Value::Texts(x.clone())
    }
}

enum Text {
    Registered(&'static Stmt),
    Dynamic(String),
}

/// A statement with its values, ready to run on a [`Conn`].
pub struct Query {
    text: Text,
    args: Vec<Value>,
}

/// A registered statement (see [`sql!`](crate::sql)).
pub fn q(stmt: &'static Stmt) -> Query {
    Query { text: Text::Registered(stmt), args: Vec::new() }
}

/// A statement built at run time, the same for both dialects. Only for text made of fixed
/// pieces (never of input); those the service runs are enumerated for the plan test by the
/// code that builds them.
pub fn dynamic(text: String) -> Query {
    Query { text: Text::Dynamic(text), args: Vec::new() }
}

type LiteQuery = sqlx::query::Query<'static, sqlx::Sqlite, sqlx::sqlite::SqliteArguments>;
type PgQuery = sqlx::query::Query<'static, sqlx::Postgres, sqlx::postgres::PgArguments>;

impl Query {
    pub fn bind(mut self, value: impl Into<Value>) -> Query {
        self.args.push(value.into());
        self
    }

    fn lite(self) -> LiteQuery {
        let mut q = match self.text {
            Text::Registered(s) => sqlx::query(s.sqlite),
            Text::Dynamic(s) => sqlx::query(sqlx::AssertSqlSafe(s)),
        };
        for v in self.args {
            q = match v {
                Value::Int(x) => q.bind(x),
                Value::Text(x) => q.bind(x),
                Value::Bool(x) => q.bind(x),
                Value::Dec(x) => q.bind(x.map(|d| d.to_string())),
                Value::Bytes(x) => q.bind(x),
                Value::Ints(list) => {
                    let items: Vec<String> = list.iter().map(i64::to_string).collect();
                    q.bind(format!("[{}]", items.join(",")))
                }
                Value::Texts(list) => q.bind(serde_json::to_string(&list).unwrap_or_else(|_| "[]".into())),
            };
        }
        q
    }

    fn pg(self) -> PgQuery {
        let mut q = match self.text {
            Text::Registered(s) => sqlx::query(s.postgres),
            Text::Dynamic(s) => sqlx::query(sqlx::AssertSqlSafe(s)),
        };
        for v in self.args {
            q = match v {
                Value::Int(x) => q.bind(x),
                Value::Text(x) => q.bind(x),
                Value::Bool(x) => q.bind(x),
                Value::Dec(x) => q.bind(x),
                Value::Bytes(x) => q.bind(x),
                Value::Ints(list) => q.bind(list),
                Value::Texts(list) => q.bind(list),
            };
        }
        q
    }

    pub async fn fetch_all(self, c: &mut Conn) -> Result<Vec<Row>, sqlx::Error> {
        Ok(match c.raw() {
            Raw::Lite(conn) => self.lite().fetch_all(conn).await?.into_iter().map(Row::Lite).collect(),
            Raw::Pg(conn) => self.pg().fetch_all(conn).await?.into_iter().map(Row::Pg).collect(),
        })
    }

    pub async fn fetch_optional(self, c: &mut Conn) -> Result<Option<Row>, sqlx::Error> {
        Ok(match c.raw() {
            Raw::Lite(conn) => self.lite().fetch_optional(conn).await?.map(Row::Lite),
            Raw::Pg(conn) => self.pg().fetch_optional(conn).await?.map(Row::Pg),
        })
    }

    pub async fn fetch_one(self, c: &mut Conn) -> Result<Row, sqlx::Error> {
        self.fetch_optional(c).await?.ok_or(sqlx::Error::RowNotFound)
    }

    /// Runs it; how many rows it changed.
    pub async fn execute(self, c: &mut Conn) -> Result<u64, sqlx::Error> {
        Ok(match c.raw() {
            Raw::Lite(conn) => self.lite().execute(conn).await?.rows_affected(),
            Raw::Pg(conn) => self.pg().execute(conn).await?.rows_affected(),
        })
    }

    /// The first column of the one row.
    pub async fn scalar<T: Col>(self, c: &mut Conn) -> Result<T, sqlx::Error> {
        self.fetch_one(c).await?.at(0)
    }

    /// The first column of the row, if there is one.
    pub async fn scalar_opt<T: Col>(self, c: &mut Conn) -> Result<Option<T>, sqlx::Error> {
        self.fetch_optional(c).await?.map(|r| r.at(0)).transpose()
    }

    /// The first column of every row.
    pub async fn scalars<T: Col>(self, c: &mut Conn) -> Result<Vec<T>, sqlx::Error> {
        self.fetch_all(c).await?.iter().map(|r| r.at(0)).collect()
    }
}

/// A row from either database.
pub enum Row {
    Lite(SqliteRow),
    Pg(PgRow),
}

impl Row {
    /// Column `name`, as `T`.
    pub fn get<T: Col>(&self, name: &str) -> Result<T, sqlx::Error> {
        match self {
            Row::Lite(r) => T::lite(r, name),
            Row::Pg(r) => T::pg(r, name),
        }
    }

    /// Column `index` (from 0), as `T`.
    pub fn at<T: Col>(&self, index: usize) -> Result<T, sqlx::Error> {
        match self {
            Row::Lite(r) => T::lite(r, index),
            Row::Pg(r) => T::pg(r, index),
        }
    }
}

/// A Rust type a column can be read as, on either database.
pub trait Col: Sized {
    fn lite<I: ColumnIndex<SqliteRow> + Copy + std::fmt::Debug>(row: &SqliteRow, i: I) -> Result<Self, sqlx::Error>;
    fn pg<I: ColumnIndex<PgRow> + Copy + std::fmt::Debug>(row: &PgRow, i: I) -> Result<Self, sqlx::Error>;
}

macro_rules! native {
    ($($t:ty),*) => {$(
        impl Col for $t {
            fn lite<I: ColumnIndex<SqliteRow> + Copy + std::fmt::Debug>(row: &SqliteRow, i: I) -> Result<Self, sqlx::Error> {
                row.try_get(i)
            }
            fn pg<I: ColumnIndex<PgRow> + Copy + std::fmt::Debug>(row: &PgRow, i: I) -> Result<Self, sqlx::Error> {
                row.try_get(i)
            }
        }
    )*};
}

native!(bool, String, Vec<u8>);

impl Col for i64 {
    fn lite<I: ColumnIndex<SqliteRow> + Copy + std::fmt::Debug>(row: &SqliteRow, i: I) -> Result<Self, sqlx::Error> {
        row.try_get(i)
    }
    /// Any integer column (PostgreSQL's functions return INT4 at times, e.g. `octet_length`).
    fn pg<I: ColumnIndex<PgRow> + Copy + std::fmt::Debug>(row: &PgRow, i: I) -> Result<Self, sqlx::Error> {
        use sqlx::TypeInfo;
        let kind = row.try_get_raw(i)?.type_info().name().to_string();
        match kind.as_str() {
            "INT4" => row.try_get::<i32, _>(i).map(i64::from),
            "INT2" => row.try_get::<i16, _>(i).map(i64::from),
            _ => row.try_get(i),
        }
    }
}

fn decode_error(i: impl std::fmt::Debug, e: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> sqlx::Error {
    sqlx::Error::ColumnDecode { index: format!("{i:?}"), source: e.into() }
}

/// Smaller integers are stored as 64-bit ones and checked on the way out.
macro_rules! narrow {
    ($($t:ty),*) => {$(
        impl Col for $t {
            fn lite<I: ColumnIndex<SqliteRow> + Copy + std::fmt::Debug>(row: &SqliteRow, i: I) -> Result<Self, sqlx::Error> {
                <$t>::try_from(i64::lite(row, i)?).map_err(|e| decode_error(i, e))
            }
            fn pg<I: ColumnIndex<PgRow> + Copy + std::fmt::Debug>(row: &PgRow, i: I) -> Result<Self, sqlx::Error> {
                <$t>::try_from(i64::pg(row, i)?).map_err(|e| decode_error(i, e))
            }
        }
    )*};
}

narrow!(i32, u32, u64, usize);

impl Col for Decimal {
    fn lite<I: ColumnIndex<SqliteRow> + Copy + std::fmt::Debug>(row: &SqliteRow, i: I) -> Result<Self, sqlx::Error> {
        let text: String = row.try_get(i)?;
        Decimal::from_str(&text).map_err(|e| decode_error(i, e))
    }
    fn pg<I: ColumnIndex<PgRow> + Copy + std::fmt::Debug>(row: &PgRow, i: I) -> Result<Self, sqlx::Error> {
        row.try_get(i)
    }
}

impl<T: Col> Col for Option<T> {
    fn lite<I: ColumnIndex<SqliteRow> + Copy + std::fmt::Debug>(row: &SqliteRow, i: I) -> Result<Self, sqlx::Error> {
        if row.try_get_raw(i)?.is_null() { Ok(None) } else { T::lite(row, i).map(Some) }
    }
    fn pg<I: ColumnIndex<PgRow> + Copy + std::fmt::Debug>(row: &PgRow, i: I) -> Result<Self, sqlx::Error> {
        if row.try_get_raw(i)?.is_null() { Ok(None) } else { T::pg(row, i).map(Some) }
    }
}
