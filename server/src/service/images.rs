//! Images: StoreImage (the client chooses the GUID) and GetImage.
//!
//! Anyone logged in may upload. An image can be read by its uploader and by whoever can see
//! something that shows it: a visible invoice, a message of their conversation, a secret
//! of their invoice or bought by them. Secret images stay hidden until bought. A guest
//! reads the images of public invoices only.

use super::{Caller, Result, Service, ServiceError, Viewer};
use crate::store::{now_ms, timestamp};
use schet_api::{FieldError, Guid, pb};
use sqlx::Row;

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
        let mut tx = self.store.write.begin().await?;
        let existing = sqlx::query("SELECT owner_id, original, created_at FROM images WHERE id = ?")
            .bind(&id)
            .fetch_optional(&mut *tx)
            .await?;
        if let Some(row) = existing {
            // Retrying the same upload is harmless; reusing someone's GUID is not.
            let same = row.try_get::<String, _>("owner_id")? == caller.id
                && row.try_get::<Vec<u8>, _>("original")? == req.data;
            if !same {
                return Err(ServiceError::FailedPrecondition("an image with this GUID exists; make a new GUID".into()));
            }
            let created: i64 = row.try_get("created_at")?;
            return Ok(pb::Image {
                id,
                created_at: Some(timestamp(created)),
                preview: processed.preview,
                original: Vec::new(),
                is_preview: true,
            });
        }
        let now = now_ms();
        sqlx::query("INSERT INTO images (id, owner_id, mime, original, preview, created_at) VALUES (?, ?, ?, ?, ?, ?)")
            .bind(&id)
            .bind(&caller.id)
            .bind(processed.mime)
            .bind(&processed.original)
            .bind(&processed.preview)
            .bind(now)
            .execute(&mut *tx)
            .await?;
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
        let like = format!("%{id}%");
        // Visible when: mine; on an invoice I can see; in a conversation of mine; a secret of
        // my invoice, or one sold to me. ?2 is NULL for a guest, equal to nothing: only the
        // public invoices' clause can hold.
        let row = sqlx::query(
            "SELECT im.* FROM images im WHERE im.id = ?1 AND (
                im.owner_id = ?2
                OR EXISTS (SELECT 1 FROM invoices i WHERE i.images LIKE ?3
                           AND (i.is_private = 0 OR i.owner_id = ?2 OR i.target_user_id = ?2))
                OR EXISTS (SELECT 1 FROM messages m JOIN conversations c ON c.id = m.conversation_id
                           WHERE m.images LIKE ?3 AND (c.seller_id = ?2 OR c.buyer_id = ?2))
                OR EXISTS (SELECT 1 FROM invoice_secrets s JOIN invoices i ON i.id = s.invoice_id
                           LEFT JOIN payments p ON p.id = s.payment_id
                           WHERE s.images LIKE ?3 AND (i.owner_id = ?2 OR p.buyer_id = ?2)))",
        )
        .bind(&id)
        .bind(viewer.user_id())
        .bind(&like)
        .fetch_optional(&self.store.read)
        .await?
        .ok_or_else(missing)?;
        let created: i64 = row.try_get("created_at")?;
        Ok(if req.is_preview {
            pb::Image {
                id,
                created_at: Some(timestamp(created)),
                preview: row.try_get("preview")?,
                original: Vec::new(),
                is_preview: true,
            }
        } else {
            pb::Image {
                id,
                created_at: Some(timestamp(created)),
                preview: Vec::new(),
                original: row.try_get("original")?,
                is_preview: false,
            }
        })
    }
}
