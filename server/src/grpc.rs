//! gRPC handlers: authenticate, hand the request to [`Service`], translate the answer.
//! No rule lives here.

use crate::service::{Caller, Service, ServiceError};
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
            ServiceError::Invalid(f) => Status::invalid_argument(f.to_string()),
            ServiceError::Unauthenticated(m) => Status::unauthenticated(m),
            ServiceError::NotFound(m) => Status::not_found(m),
            ServiceError::PermissionDenied(m) => Status::permission_denied(m),
            ServiceError::FailedPrecondition(m) => Status::failed_precondition(m),
            ServiceError::Internal(detail) => {
                tracing::error!(%detail, "internal error");
                Status::internal("internal error; it has been logged")
            }
        }
    }
}

/// The bearer token of a request (`authorization: Bearer <token>`).
fn bearer<T>(req: &Request<T>) -> Result<&str, Status> {
    let value = req
        .metadata()
        .get("authorization")
        .ok_or_else(|| Status::unauthenticated("no authorization metadata: log in"))?;
    let value = value.to_str().map_err(|_| Status::unauthenticated("the authorization value is not text"))?;
    let token = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| Status::unauthenticated("authorization must be `Bearer <token>`"))?;
    Ok(token)
}

impl Api {
    async fn caller<T>(&self, req: &Request<T>) -> Result<Caller, Status> {
        Ok(self.service.authenticate(bearer(req)?).await?)
    }
}

fn not_yet(call: &str) -> Status {
    Status::unimplemented(format!("{call} is not available on this service yet"))
}

type EventStream = Pin<Box<dyn Stream<Item = Result<pb::Event, Status>> + Send + 'static>>;

#[tonic::async_trait]
impl TradeApi for Api {
    async fn create_invoice(&self, req: Request<pb::CreateInvoiceRequest>) -> Result<Response<pb::Invoice>, Status> {
        let caller = self.caller(&req).await?;
        Ok(Response::new(self.service.create_invoice(&caller, req.into_inner()).await?))
    }

    async fn get_invoice_by_id(
        &self,
        req: Request<pb::GetInvoiceByIdRequest>,
    ) -> Result<Response<pb::GetInvoicesResponse>, Status> {
        let caller = self.caller(&req).await?;
        let invoice = self.service.invoice_by_id(&caller, req.get_ref().invoice_id).await?;
        Ok(Response::new(pb::GetInvoicesResponse { invoices: vec![invoice] }))
    }

    async fn get_my_profile(&self, req: Request<()>) -> Result<Response<pb::MyProfileResponse>, Status> {
        let caller = self.caller(&req).await?;
        Ok(Response::new(pb::MyProfileResponse { user_id: caller.id, username: caller.username }))
    }

    async fn get_variables(&self, req: Request<()>) -> Result<Response<pb::Variables>, Status> {
        self.caller(&req).await?;
        Ok(Response::new(self.service.variables()?))
    }

    async fn is_user_exist(
        &self,
        req: Request<pb::IsUserExistRequest>,
    ) -> Result<Response<pb::IsUserExistResponse>, Status> {
        self.caller(&req).await?;
        let is_exist = self.service.is_user_exist(&req.get_ref().user_name).await?;
        Ok(Response::new(pb::IsUserExistResponse { is_exist }))
    }

    async fn update_public_invoice(
        &self,
        _: Request<pb::UpdatePublicInvoiceRequest>,
    ) -> Result<Response<pb::Invoice>, Status> {
        Err(not_yet("UpdatePublicInvoice"))
    }
    async fn delete_invoice(
        &self,
        _: Request<pb::DeleteInvoiceRequest>,
    ) -> Result<Response<pb::DeleteInvoiceResponse>, Status> {
        Err(not_yet("DeleteInvoice"))
    }
    async fn get_invoices(
        &self,
        _: Request<pb::GetInvoicesRequest>,
    ) -> Result<Response<pb::GetInvoicesResponse>, Status> {
        Err(not_yet("GetInvoices"))
    }
    async fn send_invoice_message(
        &self,
        _: Request<pb::SendInvoiceMessageRequest>,
    ) -> Result<Response<pb::Conversation>, Status> {
        Err(not_yet("SendInvoiceMessage"))
    }
    async fn get_invoice_secrets(
        &self,
        _: Request<pb::GetInvoiceSecretsRequest>,
    ) -> Result<Response<pb::InvoiceSecretsList>, Status> {
        Err(not_yet("GetInvoiceSecrets"))
    }
    async fn change_invoice_secret(
        &self,
        _: Request<pb::ChangeInvoiceSecretRequest>,
    ) -> Result<Response<pb::InvoiceSecretsList>, Status> {
        Err(not_yet("ChangeInvoiceSecret"))
    }
    async fn create_invoice_secret(
        &self,
        _: Request<pb::CreateInvoiceSecretRequest>,
    ) -> Result<Response<pb::InvoiceSecretsList>, Status> {
        Err(not_yet("CreateInvoiceSecret"))
    }
    async fn update_invoice_secret(
        &self,
        _: Request<pb::UpdateInvoiceSecretRequest>,
    ) -> Result<Response<pb::InvoiceSecretsList>, Status> {
        Err(not_yet("UpdateInvoiceSecret"))
    }
    async fn pay_invoice_from_balance(
        &self,
        _: Request<pb::PayInvoiceFromBalanceRequest>,
    ) -> Result<Response<pb::InvoicePayment>, Status> {
        Err(not_yet("PayInvoiceFromBalance"))
    }
    async fn get_invoice_payments(
        &self,
        _: Request<pb::GetInvoicePaymentsRequest>,
    ) -> Result<Response<pb::GetInvoicePaymentsResponse>, Status> {
        Err(not_yet("GetInvoicePayments"))
    }
    async fn cancel_invoice_payment(
        &self,
        _: Request<pb::CancelInvoicePaymentRequest>,
    ) -> Result<Response<pb::InvoicePayment>, Status> {
        Err(not_yet("CancelInvoicePayment"))
    }
    async fn create_refund(
        &self,
        _: Request<pb::CreateRefundRequest>,
    ) -> Result<Response<pb::CreateRefundResponse>, Status> {
        Err(not_yet("CreateRefund"))
    }
    async fn get_conversations(&self, _: Request<()>) -> Result<Response<pb::GetConversationsResponse>, Status> {
        Err(not_yet("GetConversations"))
    }
    async fn get_conversations_by_id(
        &self,
        _: Request<pb::GetConversationsByIdRequest>,
    ) -> Result<Response<pb::GetConversationsResponse>, Status> {
        Err(not_yet("GetConversationsById"))
    }
    async fn send_invoice_payment_message(
        &self,
        _: Request<pb::SendInvoicePaymentMessageRequest>,
    ) -> Result<Response<pb::Conversation>, Status> {
        Err(not_yet("SendInvoicePaymentMessage"))
    }
    async fn store_image(&self, _: Request<pb::StoreImageRequest>) -> Result<Response<pb::Image>, Status> {
        Err(not_yet("StoreImage"))
    }
    async fn get_image(&self, _: Request<pb::GetImageRequest>) -> Result<Response<pb::Image>, Status> {
        Err(not_yet("GetImage"))
    }

    type SubscribeNewEventsStream = EventStream;
    async fn subscribe_new_events(&self, _: Request<()>) -> Result<Response<Self::SubscribeNewEventsStream>, Status> {
        Err(not_yet("SubscribeNewEvents"))
    }
}
