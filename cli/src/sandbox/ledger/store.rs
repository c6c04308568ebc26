//! One SQLite file holds the platform's projects, payments, sessions, operations and
//! callback outbox, and (in tables prefixed `merchant_`) the demo merchant's own data.
//!
//! Access goes through [`Store::with`], which locks the single connection: a check and
//! the write that depends on it run under one lock (and one transaction where it
//! matters), so two concurrent `pay` calls cannot create two operations.

use rusqlite::{params, Connection, OptionalExtension, Row};
use std::sync::Mutex;

const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS projects (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    secret TEXT NOT NULL,
    callback_url TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS payments (
    rowid INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id INTEGER NOT NULL REFERENCES projects(id),
    payment_id TEXT NOT NULL,
    amount INTEGER NOT NULL,
    currency TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    description TEXT,
    status TEXT,
    method TEXT,
    date TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (project_id, payment_id)
);
CREATE TABLE IF NOT EXISTS sessions (
    token TEXT PRIMARY KEY,
    payment_rowid INTEGER NOT NULL REFERENCES payments(rowid),
    params TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS operations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    payment_rowid INTEGER NOT NULL REFERENCES payments(rowid),
    kind TEXT NOT NULL,
    method TEXT NOT NULL,
    status TEXT NOT NULL,
    created_date TEXT NOT NULL,
    date TEXT,
    request_id TEXT NOT NULL,
    code TEXT,
    message TEXT,
    provider_payment_id TEXT,
    data TEXT NOT NULL,
    UNIQUE (payment_rowid, kind)
);
CREATE TABLE IF NOT EXISTS callbacks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id INTEGER NOT NULL REFERENCES projects(id),
    payment_rowid INTEGER NOT NULL REFERENCES payments(rowid),
    operation_id INTEGER REFERENCES operations(id),
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    delivered_at TEXT,
    last_http_status INTEGER,
    last_error TEXT
);
CREATE INDEX IF NOT EXISTS callbacks_due ON callbacks (next_attempt_at) WHERE delivered_at IS NULL;
CREATE INDEX IF NOT EXISTS callbacks_pending_by_payment ON callbacks (payment_rowid, id) WHERE delivered_at IS NULL;
CREATE TABLE IF NOT EXISTS callback_attempts (
    callback_id INTEGER NOT NULL REFERENCES callbacks(id),
    attempt INTEGER NOT NULL,
    at TEXT NOT NULL,
    http_status INTEGER,
    error TEXT,
    PRIMARY KEY (callback_id, attempt)
);
"#;

/// How long a write waits for another program's lock on the database file.
pub const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_millis(1000);

pub struct Store {
    conn: Mutex<Connection>,
}

impl Store {
    /// Opens (creating if needed) the database; `:memory:` for a throw-away one.
    pub fn open(path: &str) -> rusqlite::Result<Store> {
        let conn = if path == ":memory:" { Connection::open_in_memory()? } else { Connection::open(path)? };
        // Another program holding the file's lock (a second sandbox, the sqlite3 shell):
        // wait this long, then the request answers 503 with Retry-After (server/error.rs),
        // nothing changed. Short, because every request waits behind the one connection.
        conn.busy_timeout(BUSY_TIMEOUT)?;
        if path != ":memory:" {
            conn.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))?;
        }
        conn.execute_batch("PRAGMA foreign_keys = ON;")?;
        conn.execute_batch(SCHEMA)?;
        migrate_sessions(&conn)?;
        Ok(Store { conn: Mutex::new(conn) })
    }

    /// Runs `f` with the connection locked. Keep `f` short and free of awaits.
    pub fn with<T>(&self, f: impl FnOnce(&mut Connection) -> rusqlite::Result<T>) -> rusqlite::Result<T> {
        // A panic in another handler must not take the whole sandbox down with it.
        let mut conn = self.conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        f(&mut conn)
    }
}

/// A non-SQL failure inside a store operation (bad stored JSON, no random source).
pub fn store_error(message: String) -> rusqlite::Error {
    rusqlite::Error::ToSqlConversionFailure(Box::new(std::io::Error::other(message)))
}

/// A random key stored once in `meta`, hex-decoded.
pub fn meta_key(c: &Connection, key: &str) -> rusqlite::Result<Vec<u8>> {
    let existing: Option<String> = c.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0)).optional()?;
    let value = match existing {
        Some(v) => v,
        None => {
            let mut buf = [0u8; 32];
            getrandom::getrandom(&mut buf).map_err(|e| store_error(format!("random source: {e}")))?;
            let v = hex::encode(buf);
            c.execute("INSERT INTO meta (key, value) VALUES (?1, ?2)", params![key, v])?;
            v
        }
    };
    hex::decode(&value).map_err(|e| store_error(format!("meta {key}: {e}")))
}

#[derive(Debug, Clone)]
pub struct Project {
    pub id: u64,
    pub name: String,
    pub secret: String,
    pub callback_url: String,
}

/// Creates the project if missing. The callback URL follows the current port each start
/// (the demo merchant lives in this process); an existing secret is kept.
pub fn ensure_project(c: &Connection, id: u64, name: &str, secret: &str, callback_url: &str) -> rusqlite::Result<()> {
    c.execute(
        "INSERT INTO projects (id, name, secret, callback_url) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (id) DO UPDATE SET callback_url = excluded.callback_url",
        params![id as i64, name, secret, callback_url],
    )?;
    Ok(())
}

pub fn project(c: &Connection, id: u64) -> rusqlite::Result<Option<Project>> {
    let Ok(id) = i64::try_from(id) else { return Ok(None) };
    c.query_row("SELECT id, name, secret, callback_url FROM projects WHERE id = ?1", [id], |r| {
        Ok(Project { id: r.get::<_, i64>(0)? as u64, name: r.get(1)?, secret: r.get(2)?, callback_url: r.get(3)? })
    })
    .optional()
}

#[derive(Debug, Clone)]
pub struct PaymentRow {
    pub rowid: i64,
    pub project_id: u64,
    pub payment_id: String,
    pub amount: i64,
    pub currency: String,
    pub customer_id: String,
    pub description: Option<String>,
    /// `None` until the customer pays.
    pub status: Option<String>,
    pub method: Option<String>,
    /// When the payment reached its last status.
    pub date: Option<String>,
    pub created_at: String,
}

const PAYMENT_COLS: &str = "rowid, project_id, payment_id, amount, currency, customer_id, description, status, method, date, created_at";

fn payment_row(r: &Row) -> rusqlite::Result<PaymentRow> {
    Ok(PaymentRow {
        rowid: r.get(0)?,
        project_id: r.get::<_, i64>(1)? as u64,
        payment_id: r.get(2)?,
        amount: r.get(3)?,
        currency: r.get(4)?,
        customer_id: r.get(5)?,
        description: r.get(6)?,
        status: r.get(7)?,
        method: r.get(8)?,
        date: r.get(9)?,
        created_at: r.get(10)?,
    })
}

pub fn payment(c: &Connection, rowid: i64) -> rusqlite::Result<Option<PaymentRow>> {
    c.query_row(&format!("SELECT {PAYMENT_COLS} FROM payments WHERE rowid = ?1"), [rowid], payment_row).optional()
}

pub fn payment_by_id(c: &Connection, project_id: u64, payment_id: &str) -> rusqlite::Result<Option<PaymentRow>> {
    c.query_row(
        &format!("SELECT {PAYMENT_COLS} FROM payments WHERE project_id = ?1 AND payment_id = ?2"),
        params![project_id as i64, payment_id],
        payment_row,
    )
    .optional()
}

pub struct NewPayment<'a> {
    pub project_id: u64,
    pub payment_id: &'a str,
    pub amount: i64,
    pub currency: &'a str,
    pub customer_id: &'a str,
    pub description: Option<&'a str>,
    pub created_at: &'a str,
}

pub fn insert_payment(c: &Connection, p: &NewPayment) -> rusqlite::Result<i64> {
    c.execute(
        "INSERT INTO payments (project_id, payment_id, amount, currency, customer_id, description, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![p.project_id as i64, p.payment_id, p.amount, p.currency, p.customer_id, p.description, p.created_at],
    )?;
    Ok(c.last_insert_rowid())
}

pub fn set_payment_status(c: &Connection, rowid: i64, status: &str, method: &str, date: &str) -> rusqlite::Result<()> {
    c.execute("UPDATE payments SET status = ?2, method = ?3, date = ?4 WHERE rowid = ?1", params![rowid, status, method, date])?;
    Ok(())
}

#[derive(Debug, Clone)]
pub struct SessionRow {
    pub token: String,
    pub payment_rowid: i64,
    /// The merchant's parameters as received by `open` (JSON object).
    pub params: String,
}

pub fn insert_session(c: &Connection, token: &str, payment_rowid: i64, params_json: &str, now: &str) -> rusqlite::Result<()> {
    c.execute(
        "INSERT INTO sessions (token, payment_rowid, params, created_at, last_used_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![token, payment_rowid, params_json, now, crate::sandbox::ledger::clock::now_ms()],
    )?;
    Ok(())
}

/// Sessions expire when unused (issue 13): `last_used_ms` (added to older files here) is
/// set by every lookup, and [`delete_sessions_unused_since`] removes the stale ones.
fn migrate_sessions(c: &Connection) -> rusqlite::Result<()> {
    let has: bool = c.query_row("SELECT COUNT(*) FROM pragma_table_info('sessions') WHERE name = 'last_used_ms'", [], |r| r.get(0))?;
    if !has {
        c.execute_batch("ALTER TABLE sessions ADD COLUMN last_used_ms INTEGER")?;
    }
    // Sessions of older files count as used now.
    c.execute("UPDATE sessions SET last_used_ms = ?1 WHERE last_used_ms IS NULL", [crate::sandbox::ledger::clock::now_ms()])?;
    c.execute_batch("CREATE INDEX IF NOT EXISTS sessions_last_used ON sessions (last_used_ms)")
}

/// Deletes the sessions not used since `cutoff_ms`; returns how many.
pub fn delete_sessions_unused_since(c: &Connection, cutoff_ms: i64) -> rusqlite::Result<usize> {
    c.execute("DELETE FROM sessions WHERE last_used_ms < ?1", [cutoff_ms])
}

/// Looks a session up and marks it used (it does not expire while the widget polls it).
pub fn session(c: &Connection, token: &str) -> rusqlite::Result<Option<SessionRow>> {
    // Best effort: a database that cannot be written (full disk) still answers lookups.
    let _ = c.execute("UPDATE sessions SET last_used_ms = ?2 WHERE token = ?1", params![token, crate::sandbox::ledger::clock::now_ms()]);
    c.query_row("SELECT token, payment_rowid, params FROM sessions WHERE token = ?1", [token], |r| {
        Ok(SessionRow { token: r.get(0)?, payment_rowid: r.get(1)?, params: r.get(2)? })
    })
    .optional()
}

#[derive(Debug, Clone)]
pub struct OperationRow {
    pub id: i64,
    pub payment_rowid: i64,
    /// `sale` (later also `refund`).
    pub kind: String,
    pub method: String,
    pub status: String,
    pub created_date: String,
    pub date: Option<String>,
    pub request_id: String,
    pub code: Option<String>,
    pub message: Option<String>,
    pub provider_payment_id: Option<String>,
    /// Method-specific state (JSON): what the customer gave, where to send them back.
    pub data: String,
}

const OPERATION_COLS: &str =
    "id, payment_rowid, kind, method, status, created_date, date, request_id, code, message, provider_payment_id, data";

fn operation_row(r: &Row) -> rusqlite::Result<OperationRow> {
    Ok(OperationRow {
        id: r.get(0)?,
        payment_rowid: r.get(1)?,
        kind: r.get(2)?,
        method: r.get(3)?,
        status: r.get(4)?,
        created_date: r.get(5)?,
        date: r.get(6)?,
        request_id: r.get(7)?,
        code: r.get(8)?,
        message: r.get(9)?,
        provider_payment_id: r.get(10)?,
        data: r.get(11)?,
    })
}

pub fn operation(c: &Connection, id: i64) -> rusqlite::Result<Option<OperationRow>> {
    c.query_row(&format!("SELECT {OPERATION_COLS} FROM operations WHERE id = ?1"), [id], operation_row).optional()
}

pub fn sale_operation(c: &Connection, payment_rowid: i64) -> rusqlite::Result<Option<OperationRow>> {
    c.query_row(
        &format!("SELECT {OPERATION_COLS} FROM operations WHERE payment_rowid = ?1 AND kind = 'sale'"),
        [payment_rowid],
        operation_row,
    )
    .optional()
}

pub struct NewOperation<'a> {
    pub payment_rowid: i64,
    pub kind: &'a str,
    pub method: &'a str,
    pub status: &'a str,
    pub created_date: &'a str,
    pub request_id: &'a str,
    pub data: &'a str,
}

pub fn insert_operation(c: &Connection, o: &NewOperation) -> rusqlite::Result<i64> {
    c.execute(
        "INSERT INTO operations (payment_rowid, kind, method, status, created_date, request_id, data)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![o.payment_rowid, o.kind, o.method, o.status, o.created_date, o.request_id, o.data],
    )?;
    Ok(c.last_insert_rowid())
}

pub struct OperationResult<'a> {
    pub status: &'a str,
    pub date: &'a str,
    pub code: &'a str,
    pub message: &'a str,
    pub provider_payment_id: &'a str,
}

pub fn finish_operation(c: &Connection, id: i64, r: &OperationResult) -> rusqlite::Result<()> {
    c.execute(
        "UPDATE operations SET status = ?2, date = ?3, code = ?4, message = ?5, provider_payment_id = ?6 WHERE id = ?1",
        params![id, r.status, r.date, r.code, r.message, r.provider_payment_id],
    )?;
    Ok(())
}

/// A callback waiting in the outbox.
#[derive(Debug, Clone)]
pub struct OutboxRow {
    pub id: i64,
    pub project_id: u64,
    pub body: String,
    pub attempts: u32,
}

pub fn enqueue_callback(
    c: &Connection,
    project_id: u64,
    payment_rowid: i64,
    operation_id: Option<i64>,
    body: &str,
    now: &str,
    now_ms: i64,
) -> rusqlite::Result<i64> {
    c.execute(
        "INSERT INTO callbacks (project_id, payment_rowid, operation_id, body, created_at, next_attempt_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![project_id as i64, payment_rowid, operation_id, body, now, now_ms],
    )?;
    Ok(c.last_insert_rowid())
}

/// Undelivered callbacks due at `now_ms`, oldest first (so one payment's callbacks keep their order).
pub fn due_callbacks(c: &Connection, now_ms: i64, limit: u32) -> rusqlite::Result<Vec<OutboxRow>> {
    // A payment's callbacks go out in the order they were made: one waits until every
    // older one of its payment is delivered (a refund never overtakes its sale).
    let mut stmt = c.prepare(
        "SELECT c.id, c.project_id, c.body, c.attempts FROM callbacks c
         WHERE c.delivered_at IS NULL AND c.next_attempt_at <= ?1
           AND NOT EXISTS (SELECT 1 FROM callbacks o
                           WHERE o.payment_rowid = c.payment_rowid AND o.delivered_at IS NULL AND o.id < c.id)
         ORDER BY c.id LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![now_ms, limit], |r| {
        Ok(OutboxRow { id: r.get(0)?, project_id: r.get::<_, i64>(1)? as u64, body: r.get(2)?, attempts: r.get(3)? })
    })?;
    rows.collect()
}

/// When the next undelivered callback is due (unix ms), if any.
pub fn next_callback_due(c: &Connection) -> rusqlite::Result<Option<i64>> {
    c.query_row(
        "SELECT MIN(c.next_attempt_at) FROM callbacks c
         WHERE c.delivered_at IS NULL
           AND NOT EXISTS (SELECT 1 FROM callbacks o
                           WHERE o.payment_rowid = c.payment_rowid AND o.delivered_at IS NULL AND o.id < c.id)",
        [],
        |r| r.get(0),
    )
}

/// When the next callback that is not yet due at `now_ms` becomes due (unix ms), if any
/// (the outbox worker's sleep; callbacks already due are waiting for a delivery slot).
pub fn next_callback_due_after(c: &Connection, now_ms: i64) -> rusqlite::Result<Option<i64>> {
    c.query_row(
        "SELECT MIN(c.next_attempt_at) FROM callbacks c
         WHERE c.delivered_at IS NULL AND c.next_attempt_at > ?1
           AND NOT EXISTS (SELECT 1 FROM callbacks o
                           WHERE o.payment_rowid = c.payment_rowid AND o.delivered_at IS NULL AND o.id < c.id)",
        [now_ms],
        |r| r.get(0),
    )
}

/// Records one delivery attempt. `next_attempt_at = None`: delivered.
pub fn record_attempt(
    c: &mut Connection,
    id: i64,
    http_status: Option<u16>,
    error: Option<&str>,
    now: &str,
    next_attempt_at: Option<i64>,
) -> rusqlite::Result<()> {
    let tx = c.transaction()?;
    let attempts: u32 = tx.query_row("SELECT attempts FROM callbacks WHERE id = ?1", [id], |r| r.get(0))?;
    let attempt = attempts + 1;
    tx.execute(
        "INSERT INTO callback_attempts (callback_id, attempt, at, http_status, error) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![id, attempt, now, http_status, error],
    )?;
    match next_attempt_at {
        None => tx.execute(
            "UPDATE callbacks SET attempts = ?2, delivered_at = ?3, last_http_status = ?4, last_error = NULL WHERE id = ?1",
            params![id, attempt, now, http_status],
        )?,
        Some(next) => tx.execute(
            "UPDATE callbacks SET attempts = ?2, next_attempt_at = ?3, last_http_status = ?4, last_error = ?5 WHERE id = ?1",
            params![id, attempt, next, http_status, error],
        )?,
    };
    tx.commit()
}

/// Delivery state of one callback, for tests and debugging.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryState {
    pub id: i64,
    pub attempts: u32,
    pub delivered: bool,
    pub last_http_status: Option<u16>,
    pub last_error: Option<String>,
}

pub fn deliveries_for_payment(c: &Connection, project_id: u64, payment_id: &str) -> rusqlite::Result<Vec<DeliveryState>> {
    let mut stmt = c.prepare(
        "SELECT c.id, c.attempts, c.delivered_at IS NOT NULL, c.last_http_status, c.last_error
         FROM callbacks c JOIN payments p ON p.rowid = c.payment_rowid
         WHERE p.project_id = ?1 AND p.payment_id = ?2 ORDER BY c.id",
    )?;
    let rows = stmt.query_map(params![project_id as i64, payment_id], |r| {
        Ok(DeliveryState { id: r.get(0)?, attempts: r.get(1)?, delivered: r.get(2)?, last_http_status: r.get(3)?, last_error: r.get(4)? })
    })?;
    rows.collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payment_ids_are_unique_per_project() {
        let s = Store::open(":memory:").unwrap();
        s.with(|c| {
            ensure_project(c, 250, "p", "k", "http://127.0.0.1/cb")?;
            ensure_project(c, 1234, "q", "k", "http://127.0.0.1/cb")?;
            let p = |project_id| NewPayment {
                project_id,
                payment_id: "X1",
                amount: 1000,
                currency: "KES",
                customer_id: "c",
                description: None,
                created_at: "now",
            };
            insert_payment(c, &p(250))?;
            insert_payment(c, &p(1234))?;
            assert!(insert_payment(c, &p(250)).is_err());
            Ok(())
        })
        .unwrap();
    }

    #[test]
    fn one_sale_operation_per_payment() {
        let s = Store::open(":memory:").unwrap();
        s.with(|c| {
            ensure_project(c, 250, "p", "k", "http://127.0.0.1/cb")?;
            let rowid = insert_payment(
                c,
                &NewPayment {
                    project_id: 250,
                    payment_id: "X1",
                    amount: 1000,
                    currency: "KES",
                    customer_id: "c",
                    description: None,
                    created_at: "now",
                },
            )?;
            let op = NewOperation {
                payment_rowid: rowid,
                kind: "sale",
                method: "card-partner",
                status: "s",
                created_date: "d",
                request_id: "r",
                data: "{}",
            };
            insert_operation(c, &op)?;
            assert!(insert_operation(c, &op).is_err());
            Ok(())
        })
        .unwrap();
    }

    #[test]
    fn a_payments_callbacks_go_out_in_order_and_others_are_not_held_up() {
        let s = Store::open(":memory:").unwrap();
        s.with(|c| {
            ensure_project(c, 250, "p", "k", "http://127.0.0.1/cb")?;
            let pay = |id| NewPayment {
                project_id: 250,
                payment_id: id,
                amount: 1000,
                currency: "KES",
                customer_id: "c",
                description: None,
                created_at: "now",
            };
            let (a, b) = (insert_payment(c, &pay("A"))?, insert_payment(c, &pay("B"))?);
            let sale_a = enqueue_callback(c, 250, a, None, "sale A", "now", 100)?;
            let refund_a = enqueue_callback(c, 250, a, None, "refund A", "now", 100)?;
            let sale_b = enqueue_callback(c, 250, b, None, "sale B", "now", 100)?;
            let ids = |c: &Connection, now| due_callbacks(c, now, 50).map(|r| r.iter().map(|x| x.id).collect::<Vec<_>>());
            assert_eq!(ids(c, 100)?, vec![sale_a, sale_b], "A's refund waits for A's sale");
            // A's sale fails and backs off: A's refund still waits; B goes on.
            record_attempt(c, sale_a, Some(500), Some("HTTP 500"), "now", Some(5_000))?;
            assert_eq!(ids(c, 200)?, vec![sale_b]);
            assert_eq!(next_callback_due(c)?, Some(100), "B is due; A's refund is not counted while it waits");
            record_attempt(c, sale_b, Some(200), None, "now", None)?;
            assert_eq!(ids(c, 200)?, Vec::<i64>::new());
            assert_eq!(next_callback_due(c)?, Some(5_000), "the worker sleeps until A's sale is due, not until the refund");
            assert_eq!(ids(c, 5_000)?, vec![sale_a]);
            record_attempt(c, sale_a, Some(200), None, "now", None)?;
            assert_eq!(ids(c, 5_000)?, vec![refund_a]);
            Ok(())
        })
        .unwrap();
    }

    #[test]
    fn partner_key_survives_reopening() {
        let dir = std::env::temp_dir().join(format!("epay-store-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("k.sqlite");
        let path = path.to_str().unwrap();
        let k1 = Store::open(path).unwrap().with(|c| meta_key(c, "partner_key")).unwrap();
        let k2 = Store::open(path).unwrap().with(|c| meta_key(c, "partner_key")).unwrap();
        assert_eq!(k1.len(), 32);
        assert_eq!(k1, k2);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
