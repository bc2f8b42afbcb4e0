//! Integration tests of the reference service over real sockets: native gRPC (HTTP/2)
//! with the generated client, and raw gRPC-web frames over HTTP/1.1.
//! One test binary (one link) with a module per area.

mod catalogue;
mod flows;
mod grpc_web;
mod harness;
mod money;
