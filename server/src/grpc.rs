//! gRPC handlers: authenticate, hand the request to [`Service`], translate the answer.
//! No rule lives here.
//!
//! Guests (no `authorization` metadata) may call `GetInvoiceById`, `GetInvoices`,
//! `GetImage` and `GetVariables`, and see public data only; every other call needs a valid
//! token.

use crate::service::{Caller, Service, ServiceError};
use schet_api::caps::Capped;
use schet_api::pb::{self, trade_api_server::TradeApi};
use std::pin::Pin;
use std::sync::Arc;
use tokio_stream::Stream;
use tonic::{Request, Response, Status};

pub struct Api {
    pub service: Arc<Service>,
}

impl From<ServiceError> for Status {
    fn from(e: ServiceError) -> Status {
        match e {
            // The English text for every client; the rule's code in the details, for clients
            // that word it in their user's language.
            ServiceError::Invalid(f) => {
                Status::with_details(tonic::Code::InvalidArgument, f.to_string(), f.status_details().into())
            }
            ServiceError::Unauthenticated(m) => Status::unauthenticated(m),
            ServiceError::NotFound(m) => Status::not_found(m),
            ServiceError::PermissionDenied(m) => Status::permission_denied(m),
            ServiceError::FailedPrecondition(m) => Status::failed_precondition(m),
            ServiceError::ResourceExhausted(m) => Status::resource_exhausted(m),
            ServiceError::Refused(r) => {
                Status::with_details(tonic::Code::FailedPrecondition, r.to_string(), r.status_details().into())
            }
            ServiceError::Internal(detail) => {
                tracing::error!(%detail, "internal error");
                Status::internal("internal error; it has been logged")
            }
        }
    }
}

/// The bearer token of a request (`authorization: Bearer <token>`); None when the request
/// carries no `authorization` metadata at all (a guest). A value that is present but not a
/// usable bearer token is refused, never read as a guest.
fn bearer<T>(req: &Request<T>) -> Result<Option<&str>, Status> {
    let Some(value) = req.metadata().get("authorization") else { return Ok(None) };
    let value = value.to_str().map_err(|_| Status::unauthenticated("the authorization value is not text"))?;
    let token = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| Status::unauthenticated("authorization must be `Bearer <token>`"))?;
    Ok(Some(token))
}

impl Api {
    /// The logged-in user; calls that need one answer UNAUTHENTICATED to a guest.
    async fn caller<T>(&self, req: &Request<T>) -> Result<Caller, Status> {
        let token = bearer(req)?.ok_or_else(|| Status::unauthenticated("no authorization metadata: log in"))?;
        Ok(self.service.authenticate(token).await?)
    }

    /// The user, or None for a guest (no `authorization` metadata). A token that is sent
    /// but not valid is UNAUTHENTICATED, as for every call: it is never downgraded to a guest.
    async fn viewer<T>(&self, req: &Request<T>) -> Result<Option<Caller>, Status> {
        match bearer(req)? {
            None => Ok(None),
            Some(token) => Ok(Some(self.service.authenticate(token).await?)),
        }
    }
}

/// The request's lists and strings within their caps (`schet_api::caps`), before anything
/// else is done with it.
fn capped<T: Capped>(req: &Request<T>) -> Result<(), Status> {
    req.get_ref().caps().map_err(|e| Status::from(ServiceError::Invalid(e)))
}

type EventStream = Pin<Box<dyn Stream<Item = Result<pb::Event, Status>> + Send + 'static>>;

#[tonic::async_trait]
impl TradeApi for Api {
    async fn create_invoice(&self, req: Request<pb::CreateInvoiceRequest>) -> Result<Response<pb::Invoice>, Status> {
        let caller = self.caller(&req).await?;
        capped(&req)?;
        Ok(Response::new(self.service.create_invoice(&caller, req.into_inner()).await?))
    }

    async fn get_invoice_by_id(
        &self,
        req: Request<pb::GetInvoiceByIdRequest>,
    ) -> Result<Response<pb::GetInvoicesResponse>, Status> {
        let viewer = self.viewer(&req).await?;
        capped(&req)?;
        let invoice = self.service.invoice_by_id(viewer.as_ref(), req.get_ref().invoice_id).await?;
        Ok(Response::new(pb::GetInvoicesResponse { invoices: vec![invoice] }))
    }

    async fn get_my_profile(&self, req: Request<()>) -> Result<Response<pb::MyProfileResponse>, Status> {
        let caller = self.caller(&req).await?;
        capped(&req)?;
        Ok(Response::new(self.service.my_profile(caller).await?))
    }

    async fn get_variables(&self, req: Request<()>) -> Result<Response<pb::Variables>, Status> {
        self.viewer(&req).await?;
        capped(&req)?;
        Ok(Response::new(self.service.variables()?))
    }

    async fn is_user_exist(
        &self,
        req: Request<pb::IsUserExistRequest>,
    ) -> Result<Response<pb::IsUserExistResponse>, Status> {
        self.caller(&req).await?;
        capped(&req)?;
        let is_exist = self.service.is_user_exist(&req.get_ref().user_name).await?;
        Ok(Response::new(pb::IsUserExistResponse { is_exist }))
    }

    async fn update_public_invoice(
        &self,
        req: Request<pb::UpdatePublicInvoiceRequest>,
    ) -> Result<Response<pb::Invoice>, Status> {
        let caller = self.caller(&req).await?;
        capped(&req)?;
        Ok(Response::new(self.service.update_public_invoice(&caller, req.into_inner()).await?))
    }

    async fn delete_invoice(
        &self,
        req: Request<pb::DeleteInvoiceRequest>,
    ) -> Result<Response<pb::DeleteInvoiceResponse>, Status> {
        let caller = self.caller(&req).await?;
        capped(&req)?;
        Ok(Response::new(self.service.delete_invoice(&caller, req.get_ref().invoice_id).await?))
    }

    async fn get_invoices(
        &self,
        req: Request<pb::GetInvoicesRequest>,
    ) -> Result<Response<pb::GetInvoicesResponse>, Status> {
        let viewer = self.viewer(&req).await?;
        capped(&req)?;
        let invoices = self.service.invoices(viewer.as_ref(), req.get_ref()).await?;
        Ok(Response::new(pb::GetInvoicesResponse { invoices }))
    }

    async fn send_invoice_message(
        &self,
        req: Request<pb::SendInvoiceMessageRequest>,
    ) -> Result<Response<pb::Conversation>, Status> {
        let caller = self.caller(&req).await?;
        capped(&req)?;
        Ok(Response::new(self.service.send_invoice_message(&caller, req.into_inner()).await?))
    }

    async fn get_invoice_secrets(
        &self,
        req: Request<pb::GetInvoiceSecretsRequest>,
    ) -> Result<Response<pb::InvoiceSecretsList>, Status> {
        let caller = self.caller(&req).await?;
        capped(&req)?;
        Ok(Response::new(self.service.secrets(&caller, req.get_ref()).await?))
    }

    async fn change_invoice_secret(
        &self,
        req: Request<pb::ChangeInvoiceSecretRequest>,
    ) -> Result<Response<pb::InvoiceSecretsList>, Status> {
        let caller = self.caller(&req).await?;
        capped(&req)?;
        Ok(Response::new(self.service.change_secret(&caller, req.get_ref()).await?))
    }

    async fn create_invoice_secret(
        &self,
        req: Request<pb::CreateInvoiceSecretRequest>,
    ) -> Result<Response<pb::InvoiceSecretsList>, Status> {
        let caller = self.caller(&req).await?;
        capped(&req)?;
        Ok(Response::new(self.service.create_secret(&caller, req.into_inner()).await?))
    }

    async fn update_invoice_secret(
        &self,
        req: Request<pb::UpdateInvoiceSecretRequest>,
    ) -> Result<Response<pb::InvoiceSecretsList>, Status> {
        let caller = self.caller(&req).await?;
        capped(&req)?;
        Ok(Response::new(self.service.update_secret(&caller, req.into_inner()).await?))
    }

    async fn pay_invoice_from_balance(
        &self,
        req: Request<pb::PayInvoiceFromBalanceRequest>,
    ) -> Result<Response<pb::InvoicePayment>, Status> {
        let caller = self.caller(&req).await?;
        capped(&req)?;
        Ok(Response::new(self.service.pay_from_balance(&caller, req.get_ref()).await?))
    }

    async fn get_invoice_payments(
        &self,
        req: Request<pb::GetInvoicePaymentsRequest>,
    ) -> Result<Response<pb::GetInvoicePaymentsResponse>, Status> {
        let caller = self.caller(&req).await?;
        capped(&req)?;
        let payments = self.service.payments(&caller, req.get_ref()).await?;
        Ok(Response::new(pb::GetInvoicePaymentsResponse { payments }))
    }

    async fn cancel_invoice_payment(
        &self,
        req: Request<pb::CancelInvoicePaymentRequest>,
    ) -> Result<Response<pb::InvoicePayment>, Status> {
        let caller = self.caller(&req).await?;
        capped(&req)?;
        Ok(Response::new(self.service.cancel_payment(&caller, req.get_ref().payment_id).await?))
    }

    async fn create_refund(
        &self,
        req: Request<pb::CreateRefundRequest>,
    ) -> Result<Response<pb::CreateRefundResponse>, Status> {
        let caller = self.caller(&req).await?;
        capped(&req)?;
        Ok(Response::new(self.service.create_refund(&caller, req.get_ref()).await?))
    }

    async fn get_conversations(&self, req: Request<()>) -> Result<Response<pb::GetConversationsResponse>, Status> {
        let caller = self.caller(&req).await?;
        capped(&req)?;
        let conversations = self.service.conversations(&caller).await?;
        Ok(Response::new(pb::GetConversationsResponse { conversations }))
    }

    async fn get_conversations_by_id(
        &self,
        req: Request<pb::GetConversationsByIdRequest>,
    ) -> Result<Response<pb::GetConversationsResponse>, Status> {
        let caller = self.caller(&req).await?;
        capped(&req)?;
        let conversations = self.service.conversations_by(&caller, req.get_ref()).await?;
        Ok(Response::new(pb::GetConversationsResponse { conversations }))
    }

    async fn send_invoice_payment_message(
        &self,
        req: Request<pb::SendInvoicePaymentMessageRequest>,
    ) -> Result<Response<pb::Conversation>, Status> {
        let caller = self.caller(&req).await?;
        capped(&req)?;
        Ok(Response::new(self.service.send_payment_message(&caller, req.into_inner()).await?))
    }

    async fn store_image(&self, req: Request<pb::StoreImageRequest>) -> Result<Response<pb::Image>, Status> {
        let caller = self.caller(&req).await?;
        capped(&req)?;
        Ok(Response::new(self.service.store_image(&caller, req.into_inner()).await?))
    }

    async fn get_image(&self, req: Request<pb::GetImageRequest>) -> Result<Response<pb::Image>, Status> {
        let viewer = self.viewer(&req).await?;
        capped(&req)?;
        Ok(Response::new(self.service.image(viewer.as_ref(), req.get_ref()).await?))
    }

    type SubscribeNewEventsStream = EventStream;

    /// The caller's events as they happen, with a KeepAlive every 15 s so that a dead
    /// connection is noticed on both sides. A stream that falls too far behind, or that a
    /// newer one of the same user replaced, ends with RESOURCE_EXHAUSTED saying so (the
    /// client reconnects and reloads).
    async fn subscribe_new_events(&self, req: Request<()>) -> Result<Response<Self::SubscribeNewEventsStream>, Status> {
        use tokio_stream::StreamExt;
        let caller = self.caller(&req).await?;
        capped(&req)?;
        let events = self.service.events.subscribe(&caller.id);
        Ok(Response::new(Box::pin(
            events.map(|item| item.map_err(|ended| Status::resource_exhausted(ended.to_string()))),
        )))
    }
}
