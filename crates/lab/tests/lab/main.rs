//! Integration tests for cors-lab: the lab runs on `127.0.0.1:0` and is
//! exercised over real loopback HTTP (raw HTTP/1.1, reqwest, and HTTPS with
//! HTTP/2 and HTTP/1.1).

mod support;

mod hostile;
mod index;
mod responses;
mod routing;
mod tls;
