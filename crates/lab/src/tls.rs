//! TLS for the lab: PEM certificate material, a throw-away self-signed
//! certificate (rcgen), and the rustls server configuration (ring provider,
//! ALPN `h2` then `http/1.1`).

use std::fmt;
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::ServerConfig;

use crate::LabError;

/// A certificate chain and its private key, both PEM-encoded.
#[derive(Clone)]
pub struct TlsMaterial {
    /// One or more `CERTIFICATE` blocks, leaf first.
    pub cert_pem: String,
    /// The leaf's private key (`PRIVATE KEY`, PKCS#8, SEC1 or PKCS#1).
    pub key_pem: String,
}

impl fmt::Debug for TlsMaterial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsMaterial")
            .field("cert_pem", &self.cert_pem)
            .field("key_pem", &"<redacted>")
            .finish()
    }
}

/// A fresh self-signed certificate for the given names (rcgen), for tests and `lab --tls`.
///
/// Names that parse as IP addresses become IP subject alternative names;
/// the others become DNS names.
pub fn self_signed(names: &[&str]) -> Result<TlsMaterial, LabError> {
    let names: Vec<String> = names.iter().map(|name| (*name).to_owned()).collect();
    let certified = rcgen::generate_simple_self_signed(names).map_err(LabError::Certificate)?;
    Ok(TlsMaterial {
        cert_pem: certified.cert.pem(),
        key_pem: certified.key_pair.serialize_pem(),
    })
}

/// The rustls server configuration for `tls`, with the ring provider
/// installed explicitly and ALPN offering HTTP/2 then HTTP/1.1.
pub(crate) fn server_config(tls: &TlsMaterial) -> Result<Arc<ServerConfig>, LabError> {
    let chain = CertificateDer::pem_slice_iter(tls.cert_pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| LabError::Pem(format!("certificate: {error}")))?;
    if chain.is_empty() {
        return Err(LabError::Pem(
            "certificate: no CERTIFICATE block".to_owned(),
        ));
    }
    let key = PrivateKeyDer::from_pem_slice(tls.key_pem.as_bytes())
        .map_err(|error| LabError::Pem(format!("private key: {error}")))?;
    let mut config =
        ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .map_err(LabError::Tls)?
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .map_err(LabError::Tls)?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn self_signed_material_builds_a_server_config() {
        let material = self_signed(&["localhost", "127.0.0.1"]).unwrap();
        assert!(material.cert_pem.starts_with("-----BEGIN CERTIFICATE-----"));
        let config = server_config(&material).unwrap();
        assert_eq!(
            config.alpn_protocols,
            [b"h2".to_vec(), b"http/1.1".to_vec()]
        );
        assert!(!format!("{material:?}").contains("PRIVATE KEY"));
    }

    #[test]
    fn garbage_pem_is_an_error_not_a_panic() {
        let material = TlsMaterial {
            cert_pem: "not a certificate".to_owned(),
            key_pem: String::new(),
        };
        assert!(matches!(server_config(&material), Err(LabError::Pem(_))));
    }
}
