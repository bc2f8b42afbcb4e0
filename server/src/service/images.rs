//! Images: StoreImage (the client chooses the GUID) and GetImage.
//!
//! Anyone logged in may upload. An image can be read by its uploader and by whoever can see
//! something that shows it: a visible invoice, a message of their conversation, a secret
//! of their invoice or bought by them. Secret images stay hidden until bought. A guest
//! reads the images of public invoices only.

use super::{Caller, Result, Service, ServiceError, Viewer};
use crate::db::{now_ms, q, timestamp};
use crate::sql;
use schet_api::{FieldError, Guid, pb};

impl Service {
    pub async fn store_image(&self, caller: &Caller, req: pb::StoreImageRequest) -> Result<pb::Image> {
        let id: Guid = req.id.parse().map_err(|e: schet_api::guid::GuidError| FieldError::new("Id", e.into()))?;
        let id = id.to_string();
        // Decoding is CPU work (up to ~0.3 s and ~180 MB for the largest allowed image): off the
        // async workers, and at most two at a time.
        let _permit = self.image_slots.acquire().await.map_err(|_| ServiceError::Internal("shutting down".into()))?;
        let data = req.data.clone();
        let processed = tokio::task::spawn_blocking(move || crate::images::process(&data))
            .await
            .map_err(|e| ServiceError::Internal(format!("image worker: {e}")))??;
        let mut tx = self.store.begin().await?;
        // On PostgreSQL this locks the caller's row: their uploads take turns at the quota.
        q(sql!(lock: "SELECT id FROM users WHERE id = $1")).bind(&caller.id).fetch_one(&mut tx).await?;
        let existing = q(sql!("SELECT owner_id, original, created_at FROM images WHERE id = $1"))
            .bind(&id)
            .fetch_optional(&mut tx)
            .await?;
        if let Some(row) = existing {
            // Retrying the same upload is harmless; reusing someone's GUID is not.
            let same = row.get::<String>("owner_id")? == caller.id && row.get::<Vec<u8>>("original")? == req.data;
            if !same {
                return Err(ServiceError::FailedPrecondition("an image with this GUID exists; make a new GUID".into()));
            }
            let created: i64 = row.get("created_at")?;
            return Ok(pb::Image {
                id,
                created_at: Some(timestamp(created)),
                preview: processed.preview,
                original: Vec::new(),
                is_preview: true,
            });
        }
        let bytes = (processed.original.len() + processed.preview.len()) as u64;
        self.check_image_bytes_quota(&mut tx, caller, bytes).await?;
        let now = now_ms();
        // Another instance may store the same GUID meanwhile: then nothing is inserted here.
        let inserted = q(sql!(
            "INSERT INTO images (id, owner_id, mime, original, preview, created_at, bytes)
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING"
        ))
        .bind(&id)
        .bind(&caller.id)
        .bind(processed.mime)
        .bind(&processed.original)
        .bind(&processed.preview)
        .bind(now)
        .bind(bytes as i64)
        .execute(&mut tx)
        .await?;
        if inserted == 0 {
            return Err(ServiceError::FailedPrecondition("an image with this GUID exists; make a new GUID".into()));
        }
        tx.commit().await?;
        Ok(pb::Image {
            id,
            created_at: Some(timestamp(now)),
            preview: processed.preview,
            original: Vec::new(),
            is_preview: true,
        })
    }

    pub async fn image<'a>(&self, viewer: impl Into<Viewer<'a>>, req: &pb::GetImageRequest) -> Result<pb::Image> {
        let viewer = viewer.into();
        let id: Guid = req.id.parse().map_err(|e: schet_api::guid::GuidError| FieldError::new("Id", e.into()))?;
        let id = id.to_string();
        let missing = || ServiceError::NotFound(format!("image {id} was not found"));
        // Visible when: mine; on an invoice I can see; in a conversation of mine; a secret of
        // my invoice, or one sold to me (not merely held for a purchase still in progress).
        // Where it is shown is looked up in `image_uses`, by image. $2 is NULL for a guest,
        // equal to nothing: only the public invoices' clause can hold.
        macro_rules! visible {
            ($what:literal) => {
                concat!(
                    "SELECT im.created_at, im.", $what, " FROM images im WHERE im.id = $1 AND (
                im.owner_id = $2
                OR EXISTS (SELECT 1 FROM image_uses u JOIN invoices i ON i.id = u.invoice_id WHERE u.image_id = $1
                           AND (i.is_private = FALSE OR i.owner_id = $2 OR i.target_user_id = $2))
                OR EXISTS (SELECT 1 FROM image_uses u JOIN messages m ON m.id = u.message_id
                           JOIN conversations c ON c.id = m.conversation_id
                           WHERE u.image_id = $1 AND (c.seller_id = $2 OR c.buyer_id = $2))
                OR EXISTS (SELECT 1 FROM image_uses u JOIN invoice_secrets s ON s.id = u.secret_id
                           JOIN invoices i ON i.id = s.invoice_id LEFT JOIN payments p ON p.id = s.payment_id
                           WHERE u.image_id = $1 AND (i.owner_id = $2 OR (p.buyer_id = $2 AND p.status <> 0))))"
                )
            };
        }
        let stmt = if req.is_preview { sql!(visible!("preview")) } else { sql!(visible!("original")) };
        let mut conn = self.store.read().await?;
        let row = q(stmt).bind(&id).bind(viewer.user_id()).fetch_optional(&mut conn).await?.ok_or_else(missing)?;
        let created: i64 = row.at(0)?;
        Ok(if req.is_preview {
            pb::Image {
                id,
                created_at: Some(timestamp(created)),
                preview: row.at(1)?,
                original: Vec::new(),
                is_preview: true,
            }
        } else {
            pb::Image {
                id,
                created_at: Some(timestamp(created)),
                preview: Vec::new(),
                original: row.at(1)?,
                is_preview: false,
            }
        })
    }
}
