//! Reading conversations a list at a time, in a fixed number of queries: the conversations
//! with their two users, their parents (invoices; payments, as summaries), the newest
//! messages of each without their text (one lateral read), then the text of those that fit
//! in the reply. Reading the texts last keeps what a list holds in memory near the reply
//! budget, however long the messages.

use super::payment_views::{self, Detail};
use super::{Caller, Result, Service, split_ids};
use crate::db::{Conn, Row, q, timestamp};
use crate::{sql, sql_in};
use prost::Message;
use schet_api::pb;
use std::collections::HashMap;

/// A message without its text: what deciding what fits needs.
struct Meta {
    id: i64,
    message: pb::ConversationMessage,
    /// The text's length in bytes.
    bytes: usize,
}

impl Meta {
    /// Its encoded size with its text (field 3: one byte of tag, the length, the bytes).
    fn encoded_len(&self) -> usize {
        let text =
            if self.bytes == 0 { 0 } else { 1 + prost::encoding::encoded_len_varint(self.bytes as u64) + self.bytes };
        self.message.encoded_len() + text
    }
}

/// Conversations read once, to be shown to one or more viewers.
pub(super) struct Loaded {
    rows: Vec<Row>,
    invoices: HashMap<i64, Row>,
    payments: payment_views::Loaded,
    /// Newest first, up to the page size plus one (to know whether there are older ones).
    metas: HashMap<i64, Vec<Meta>>,
}

/// One conversation as one viewer will see it: everything but the texts.
pub(super) struct Shown {
    conversation: pb::Conversation,
    keep: Vec<i64>,
}

impl Service {
    /// Reads conversations `ids` (shown in that order) with their newest `count` messages
    /// before message `before` (0: the newest).
    pub(super) async fn load_conversations(
        &self,
        c: &mut Conn,
        ids: &[i64],
        before: i64,
        count: u32,
    ) -> Result<Loaded> {
        let mut loaded = Loaded {
            rows: Vec::new(),
            invoices: HashMap::new(),
            payments: self.load_payments(c, &[], Detail::Summary, None).await?,
            metas: HashMap::new(),
        };
        if ids.is_empty() {
            return Ok(loaded);
        }
        let rows = q(sql_in!(
            ["SELECT c.*,
                s.username AS s_name, s.created_at AS s_created, s.last_online AS s_online,
                s.invoices_created AS s_ic, s.payments_payed AS s_pp, s.payments_received AS s_pr,
                b.username AS b_name, b.created_at AS b_created, b.last_online AS b_online,
                b.invoices_created AS b_ic, b.payments_payed AS b_pp, b.payments_received AS b_pr
              FROM conversations c JOIN users s ON s.id = c.seller_id JOIN users b ON b.id = c.buyer_id
              WHERE c.id"] 1 []
        ))
        .bind(ids)
        .fetch_all(c)
        .await?;
        let mut by_id: HashMap<i64, Row> = HashMap::new();
        for row in rows {
            by_id.insert(row.get("id")?, row);
        }
        loaded.rows = ids.iter().filter_map(|id| by_id.remove(id)).collect();
        let mut invoices = Vec::new();
        let mut payments = Vec::new();
        for row in &loaded.rows {
            match (row.get::<Option<i64>>("invoice_id")?, row.get::<Option<i64>>("payment_id")?) {
                (Some(i), _) => invoices.push(i),
                (None, Some(p)) => payments.push(p),
                (None, None) => {}
            }
        }
        if !invoices.is_empty() {
            let stmt =
                sql_in!(["SELECT ", invoice_columns!(), " FROM invoices i", invoice_users!(), " WHERE i.id"] 1 []);
            for row in q(stmt).bind(&invoices).fetch_all(c).await? {
                loaded.invoices.insert(row.get("id")?, row);
            }
        }
        payments.sort_unstable_by(|a, b| b.cmp(a));
        payments.dedup();
        loaded.payments = self.load_payments(c, &payments, Detail::Summary, None).await?;
        // The newest count + 1 of each (one index range per conversation), without the text.
        let metas = q(sql!(
            sqlite: "SELECT m.id, m.conversation_id, m.owner_id, m.created_at, m.images, octet_length(m.text) AS bytes
                FROM conversations c JOIN messages m ON m.id IN (SELECT m2.id FROM messages m2
                    WHERE m2.conversation_id = c.id AND m2.id < $2 ORDER BY m2.id DESC LIMIT $3)
                WHERE c.id IN (SELECT value FROM json_each($1)) ORDER BY m.id DESC",
            postgres: "SELECT m.id, m.conversation_id, m.owner_id, m.created_at, m.images, octet_length(m.text) AS bytes
                FROM unnest($1::BIGINT[]) AS c(id) CROSS JOIN LATERAL (SELECT m2.* FROM messages m2
                    WHERE m2.conversation_id = c.id AND m2.id < $2 ORDER BY m2.id DESC LIMIT $3) AS m
                ORDER BY m.id DESC",
        ))
        .bind(ids)
        .bind(if before == 0 { i64::MAX } else { before })
        .bind(i64::from(count) + 1)
        .fetch_all(c)
        .await?;
        for m in metas {
            let id: i64 = m.get("id")?;
            let meta = Meta {
                id,
                message: pb::ConversationMessage {
                    id: id as u64,
                    owner_id: m.get("owner_id")?,
                    text: String::new(),
                    created_at: Some(timestamp(m.get("created_at")?)),
                    images: split_ids(&m.get::<String>("images")?),
                },
                bytes: m.get("bytes")?,
            };
            loaded.metas.entry(m.get("conversation_id")?).or_default().push(meta);
        }
        Ok(loaded)
    }

    /// The loaded conversations as `viewer` sees them, each with its newest `count` messages
    /// that fit in `budget` (at least one). With `list`, conversations are added while they
    /// fit in what is left of it; the rest follow on a later call.
    pub(super) fn cut_conversations(
        &self,
        loaded: &Loaded,
        viewer: &Caller,
        count: u32,
        budget: usize,
        list: bool,
    ) -> Result<Vec<Shown>> {
        use pb::conversation::Parent;
        let mut left = budget;
        let mut out = Vec::with_capacity(loaded.rows.len());
        for row in &loaded.rows {
            let id: i64 = row.get("id")?;
            let parent = match (row.get::<Option<i64>>("invoice_id")?, row.get::<Option<i64>>("payment_id")?) {
                (Some(i), _) => match loaded.invoices.get(&i) {
                    Some(r) => Some(Parent::Invoice(self.invoice_from_row(r, viewer)?)),
                    None => None,
                },
                (None, Some(p)) => self
                    .show_payments(&loaded.payments, viewer, false)?
                    .into_iter()
                    .find(|x| x.id == p as u64)
                    .map(Parent::Payment),
                (None, None) => None,
            };
            let mut conversation = pb::Conversation {
                id: id as u64,
                seller: Some(self.user_info(row, "s", row.get("seller_id")?)?),
                buyer: Some(self.user_info(row, "b", row.get("buyer_id")?)?),
                parent,
                messages: Vec::new(),
                has_older_messages: false,
            };
            let budget = if list { left } else { budget };
            let metas = loaded.metas.get(&id).map(Vec::as_slice).unwrap_or_default();
            let mut has_older = metas.len() > count as usize;
            // Within the budget: the newest first, older ones while they fit.
            let mut size = conversation.encoded_len();
            let mut keep = Vec::new();
            for meta in metas.iter().take(count as usize) {
                let more = meta.encoded_len() + 4;
                if !keep.is_empty() && size + more > budget {
                    has_older = true;
                    break;
                }
                size += more;
                keep.push(meta.id);
                conversation.messages.push(meta.message.clone());
            }
            conversation.has_older_messages = has_older;
            if list {
                let size = size + 8;
                if !out.is_empty() && size > left {
                    break;
                }
                left = left.saturating_sub(size);
            }
            out.push(Shown { conversation, keep });
        }
        Ok(out)
    }

    /// Gives the shown conversations their texts (one query for all), oldest message first.
    pub(super) async fn finish_conversations(
        &self,
        c: &mut Conn,
        shown: Vec<Vec<Shown>>,
    ) -> Result<Vec<Vec<pb::Conversation>>> {
        let mut ids: Vec<i64> = shown.iter().flatten().flat_map(|s| s.keep.iter().copied()).collect();
        ids.sort_unstable();
        ids.dedup();
        let mut texts: HashMap<i64, String> = HashMap::new();
        if !ids.is_empty() {
            for row in q(sql_in!(["SELECT id, text FROM messages WHERE id"] 1 [])).bind(&ids).fetch_all(c).await? {
                texts.insert(row.at(0)?, row.at(1)?);
            }
        }
        Ok(shown
            .into_iter()
            .map(|list| {
                list.into_iter()
                    .map(|mut s| {
                        for m in &mut s.conversation.messages {
                            m.text = texts.get(&(m.id as i64)).cloned().unwrap_or_default();
                        }
                        s.conversation.messages.reverse();
                        s.conversation
                    })
                    .collect()
            })
            .collect())
    }
}
