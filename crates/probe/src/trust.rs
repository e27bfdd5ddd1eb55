//! TLS trust for `--cacert` (and, for the raw HTTP/1.1 path, `--insecure`): the system's roots plus the user's PEM
//! certificates, verified by webpki as usual — and one exception curl and
//! OpenSSL make too: a self-signed certificate the user gave *exactly* is
//! accepted as the server's own certificate even when it is marked as a CA
//! (`openssl req -x509` does that by default, and webpki refuses a CA
//! certificate as a leaf). The host name must still match it.

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use std::sync::Arc;

/// The largest CA certificate file read (a whole system bundle is a few
/// hundred KiB): `/dev/zero` or a wrong path given as `--cacert` is refused
/// instead of read until memory runs out.
pub const MAX_CA_FILE_BYTES: u64 = 16 << 20;

/// The bytes of the CA certificate file at `path`, at most
/// [`MAX_CA_FILE_BYTES`]; the error says why it could not be used.
pub fn read_ca_file(path: &std::path::Path) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|file| file.take(MAX_CA_FILE_BYTES + 1).read_to_end(&mut bytes))
        .map_err(|e| e.to_string())?;
    if bytes.len() as u64 > MAX_CA_FILE_BYTES {
        return Err(format!(
            "larger than {} MiB: not a certificate file",
            MAX_CA_FILE_BYTES >> 20
        ));
    }
    Ok(bytes)
}

/// The certificates of a PEM bundle, in DER; an error names what is wrong.
pub fn pem_certificates(pem: &[u8]) -> Result<Vec<CertificateDer<'static>>, String> {
    let certs = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("not a PEM certificate bundle: {e}"))?;
    if certs.is_empty() {
        return Err("no PEM certificate found in the file".to_string());
    }
    Ok(certs)
}

/// A client configuration trusting the system roots and `extra`.
pub fn client_config(
    extra: Vec<CertificateDer<'static>>,
    http1_only: bool,
) -> Result<ClientConfig, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = RootCertStore::empty();
    // Unreadable system certificates are skipped, as reqwest does.
    for cert in rustls_native_certs::load_native_certs().certs {
        let _ = roots.add(cert);
    }
    for cert in &extra {
        // A leaf certificate is not a valid trust anchor; it is still pinned below.
        let _ = roots.add(cert.clone());
    }
    let inner = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
        .build()
        .map_err(|e| format!("cannot build a certificate verifier: {e}"))?;
    let verifier = Arc::new(PinnedOrWebPki {
        inner,
        pinned: extra,
    });
    config_with(provider, verifier, http1_only)
}

/// A configuration verifying certificates with `verifier`, offering
/// HTTP/2 by ALPN unless `http1_only`.
fn config_with(
    provider: Arc<rustls::crypto::CryptoProvider>,
    verifier: Arc<dyn ServerCertVerifier>,
    http1_only: bool,
) -> Result<ClientConfig, String> {
    let mut config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("no usable TLS version: {e}"))?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    config.alpn_protocols = if http1_only {
        vec![b"http/1.1".to_vec()]
    } else {
        vec![b"h2".to_vec(), b"http/1.1".to_vec()]
    };
    Ok(config)
}

#[derive(Debug)]
struct PinnedOrWebPki {
    inner: Arc<WebPkiServerVerifier>,
    pinned: Vec<CertificateDer<'static>>,
}

impl ServerCertVerifier for PinnedOrWebPki {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self.inner.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        ) {
            Ok(verified) => Ok(verified),
            // Pinning waives the chain, never the dates (curl and browsers
            // refuse an expired certificate they were told to trust).
            Err(
                error @ rustls::Error::InvalidCertificate(
                    rustls::CertificateError::Expired
                    | rustls::CertificateError::ExpiredContext { .. }
                    | rustls::CertificateError::NotValidYet
                    | rustls::CertificateError::NotValidYetContext { .. },
                ),
            ) => Err(error),
            Err(error)
                if self
                    .pinned
                    .iter()
                    .any(|p| p.as_ref() == end_entity.as_ref()) =>
            {
                let cert =
                    webpki::EndEntityCert::try_from(end_entity).map_err(|_| error.clone())?;
                match cert.verify_is_valid_for_subject_name(server_name) {
                    Ok(()) => Ok(ServerCertVerified::assertion()),
                    Err(_) => Err(rustls::Error::InvalidCertificate(
                        rustls::CertificateError::NotValidForName,
                    )),
                }
            }
            Err(error) => Err(error),
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

/// A client configuration that accepts any certificate (`--insecure`, like
/// `curl -k`), offering only HTTP/1.1; the handshake's signatures are still
/// checked.
pub fn insecure_client_config() -> Result<ClientConfig, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = Arc::new(AnyCertificate {
        provider: provider.clone(),
    });
    config_with(provider, verifier, true)
}

#[derive(Debug)]
struct AnyCertificate {
    provider: Arc<rustls::crypto::CryptoProvider>,
}

impl ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}
