//! TLS of the client's own HTTP client: which implementation the crate's features select, the rustls crypto
//! provider, the root certificates added with
//! [`ClientBuilder::add_root_certificate_pem`](crate::ClientBuilder::add_root_certificate_pem), and how a refused
//! server certificate reads in an error.
//!
//! **Which implementation.** When several TLS features are on (`--all-features`, or a feature added without
//! `default-features = false`), the one added beyond the default wins: `native-tls`, then `aws-lc-rs`, then
//! `rustls` (the default, on `ring`). reqwest 0.13 makes the same choice between native-tls and rustls.
//!
//! **rustls.** reqwest is built with `rustls-no-provider`, and this module hands it a complete
//! `rustls::ClientConfig` (`tls_backend_preconfigured`) whose crypto provider is the process default when the
//! program installed one, and otherwise the one the features choose (`ring`, or `aws-lc-rs`). Nothing is installed
//! process-wide. The certificate verifier is the one reqwest 0.13 builds for its own rustls configuration:
//! rustls-platform-verifier (the platform's verifier on macOS, Windows, iOS and Android; elsewhere webpki with the
//! system's root store), with the added roots on top of the platform's.

use std::fmt;

use crate::error::{Error, Result};

/// A TLS implementation this build can use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Backend {
    /// The platform's library, through reqwest's `native-tls` feature.
    #[cfg(feature = "native-tls")]
    NativeTls,
    /// rustls with the `aws-lc-rs` crypto provider.
    #[cfg(feature = "aws-lc-rs")]
    AwsLcRs,
    /// rustls with the `ring` crypto provider.
    #[cfg(feature = "rustls")]
    Ring,
}

/// The implementations this build has, first the one the client uses (see the module's documentation).
pub(crate) const BACKENDS: &[Backend] = &[
    #[cfg(feature = "native-tls")]
    Backend::NativeTls,
    #[cfg(feature = "aws-lc-rs")]
    Backend::AwsLcRs,
    #[cfg(feature = "rustls")]
    Backend::Ring,
];

/// Root certificates to trust beside the platform's, as the PEM texts given to the builder (parsed at build, so
/// that a bad one is a [`Error::Config`] there).
#[derive(Clone, Default)]
pub(crate) struct RootCertificates(Vec<Vec<u8>>);

impl RootCertificates {
    pub(crate) fn add_pem(&mut self, pem: Vec<u8>) {
        self.0.push(pem);
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for RootCertificates {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RootCertificates({} PEM)", self.0.len())
    }
}

const SETTING: &str = "root_certificate";

#[cfg(any(feature = "native-tls", feature = "rustls", feature = "aws-lc-rs"))]
fn not_a_certificate(index: usize, why: impl fmt::Display) -> Error {
    Error::config(
        SETTING,
        format!(
            "root certificate #{} is not a PEM certificate ({why}); give the text of a file that holds \
             `-----BEGIN CERTIFICATE-----` blocks",
            index.saturating_add(1)
        ),
    )
}

/// Sets up TLS on the builder of the client's own HTTP client: `backend` (the first of [`BACKENDS`] unless a
/// test picks another; `None` when this build has no TLS feature) and the added roots.
///
/// # Errors
/// [`Error::Config`] when a root certificate does not parse, when roots are given to a build without TLS, or
/// when the TLS configuration cannot be built.
pub(crate) fn configure(
    http: reqwest::ClientBuilder,
    backend: Option<Backend>,
    roots: &RootCertificates,
) -> Result<reqwest::ClientBuilder> {
    match backend {
        None if roots.is_empty() => Ok(http),
        None => Err(Error::config(
            SETTING,
            "this build of openrouter-workspaces has no TLS: enable its `rustls` (default), `aws-lc-rs` or \
             `native-tls` feature",
        )),
        #[cfg(feature = "native-tls")]
        Some(Backend::NativeTls) => {
            let mut http = http.tls_backend_native();
            for (index, pem) in roots.0.iter().enumerate() {
                let certs = reqwest::Certificate::from_pem_bundle(pem).map_err(|e| not_a_certificate(index, e))?;
                if certs.is_empty() {
                    return Err(not_a_certificate(index, "no certificate in it"));
                }
                http = http.tls_certs_merge(certs);
            }
            Ok(http)
        }
        #[cfg(feature = "aws-lc-rs")]
        Some(Backend::AwsLcRs) => {
            Ok(http.tls_backend_preconfigured(rustls_config(rustls::crypto::aws_lc_rs::default_provider, roots)?))
        }
        #[cfg(feature = "rustls")]
        Some(Backend::Ring) => {
            Ok(http.tls_backend_preconfigured(rustls_config(rustls::crypto::ring::default_provider, roots)?))
        }
    }
}

/// The rustls configuration: the process default provider if the program installed one, else `provider`; the
/// platform verifier with the added roots; HTTP/1.1 as the only ALPN protocol (as reqwest offers without its
/// `http2` feature, which this crate does not enable).
#[cfg(any(feature = "rustls", feature = "aws-lc-rs"))]
fn rustls_config(
    provider: fn() -> rustls::crypto::CryptoProvider,
    roots: &RootCertificates,
) -> Result<rustls::ClientConfig> {
    use std::sync::Arc;

    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;

    let provider = rustls::crypto::CryptoProvider::get_default().cloned().unwrap_or_else(|| Arc::new(provider()));
    let mut extra = Vec::new();
    for (index, pem) in roots.0.iter().enumerate() {
        let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(pem)
            .collect::<std::result::Result<_, _>>()
            .map_err(|e| not_a_certificate(index, e))?;
        if certs.is_empty() {
            return Err(not_a_certificate(index, "no certificate in it"));
        }
        extra.extend(certs);
    }
    let tls_error = |e: rustls::Error| Error::config("tls", format!("cannot set up TLS: {e}"));
    let verifier = if extra.is_empty() {
        rustls_platform_verifier::Verifier::new(provider.clone()).map_err(tls_error)?
    } else {
        // The platform verifier takes extra roots where reqwest 0.13 lets it (its own rustls setup has the
        // same condition).
        #[cfg(any(all(unix, not(target_os = "android")), target_os = "windows"))]
        {
            rustls_platform_verifier::Verifier::new_with_extra_roots(extra, provider.clone()).map_err(tls_error)?
        }
        #[cfg(not(any(all(unix, not(target_os = "android")), target_os = "windows")))]
        return Err(Error::config(SETTING, "added root certificates are not supported on this platform"));
    };
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(tls_error)?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

/// When a connection failed because rustls refused the server's certificate: why, in rustls's words. (reqwest
/// keeps rustls's error inside `io::Error`s, nested, whose `source()` skips what they wrap: hence `get_ref`.)
pub(crate) fn refused_certificate(error: &reqwest::Error) -> Option<String> {
    #[cfg(any(feature = "rustls", feature = "aws-lc-rs"))]
    {
        let mut cause: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(error);
        while let Some(e) = cause {
            let mut wrapped = Some(e);
            while let Some(w) = wrapped {
                if let Some(
                    refusal @ (rustls::Error::InvalidCertificate(_) | rustls::Error::InvalidCertRevocationList(_)),
                ) = w.downcast_ref::<rustls::Error>()
                {
                    return Some(refusal.to_string());
                }
                wrapped = w.downcast_ref::<std::io::Error>().and_then(|io| io.get_ref()).map(|i| i as &_);
            }
            cause = e.source();
        }
    }
    let _ = error;
    None
}

#[cfg(test)]
mod tests {
    use std::net::SocketAddr;
    use std::sync::Arc;

    use tokio::net::{TcpListener, TcpStream};
    use tokio_rustls::TlsAcceptor;
    use tokio_rustls::rustls;
    use tokio_rustls::rustls::pki_types::pem::PemObject;
    use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};

    use super::{BACKENDS, Backend};
    use crate::fake::FakeServer;
    use crate::operation::OperationId;
    use crate::{Client, CreateWorkspace, Error};

    /// The self-signed test CA, and the certificate it signed for `localhost` with its key (see
    /// `tests/fixtures/tls/README.md`).
    const CA: &str = include_str!("../tests/fixtures/tls/ca.pem");
    const SERVER_CERT: &[u8] = include_bytes!("../tests/fixtures/tls/server.pem");
    const SERVER_KEY: &[u8] = include_bytes!("../tests/fixtures/tls/server.key");

    /// A TLS front for the fake server on a loopback port: a rustls server with the test certificate, relaying
    /// each connection's plain bytes to the fake.
    async fn tls_front(fake: SocketAddr) -> SocketAddr {
        let certs = CertificateDer::pem_slice_iter(SERVER_CERT).collect::<Result<Vec<_>, _>>().unwrap();
        let key = PrivateKeyDer::from_pem_slice(SERVER_KEY).unwrap();
        let config = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .unwrap();
        let acceptor = TlsAcceptor::from(Arc::new(config));
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    let Ok(mut tls) = acceptor.accept(tcp).await else { return };
                    let Ok(mut plain) = TcpStream::connect(fake).await else { return };
                    let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
                });
            }
        });
        addr
    }

    fn client(fake: &FakeServer, front: SocketAddr, backend: Backend, ca: Option<&str>) -> crate::Result<Client> {
        let mut builder = fake.client_builder().base_url(format!("https://localhost:{}/api/v1", front.port()));
        builder.tls_backend = Some(backend);
        if let Some(ca) = ca {
            builder = builder.add_root_certificate_pem(ca);
        }
        builder.build()
    }

    fn is_rustls(backend: Backend) -> bool {
        #[cfg(feature = "native-tls")]
        if backend == Backend::NativeTls {
            return false;
        }
        let _ = backend;
        true
    }

    #[test]
    fn the_feature_added_beyond_the_default_wins() {
        let expected: &[Backend] = &[
            #[cfg(feature = "native-tls")]
            Backend::NativeTls,
            #[cfg(feature = "aws-lc-rs")]
            Backend::AwsLcRs,
            #[cfg(feature = "rustls")]
            Backend::Ring,
        ];
        assert_eq!(BACKENDS, expected);
        #[cfg(all(feature = "rustls", not(feature = "aws-lc-rs"), not(feature = "native-tls")))]
        assert_eq!(BACKENDS.first(), Some(&Backend::Ring), "ring is the default");
    }

    #[tokio::test]
    async fn a_private_ca_added_through_the_builder_is_trusted_by_every_tls_backend() {
        let fake = FakeServer::start().await.unwrap();
        let front = tls_front(fake.addr()).await;
        assert!(!BACKENDS.is_empty(), "the tests build with a TLS feature");
        for (i, backend) in BACKENDS.iter().enumerate() {
            let client = client(&fake, front, *backend, Some(CA)).unwrap();
            let slug = format!("over-tls-{i}");
            let created = client.workspaces().create(CreateWorkspace::new("Over TLS", &slug)).await;
            let created = created.unwrap_or_else(|e| panic!("{backend:?}: {e} ({e:?})"));
            assert_eq!(created.slug, slug, "{backend:?}");
            assert_eq!(client.workspaces().get(&slug).await.unwrap().id, created.id, "{backend:?}");
        }
        assert_eq!(fake.request_count(OperationId::CreateWorkspace), BACKENDS.len());
    }

    #[tokio::test]
    async fn without_the_ca_the_server_is_refused_with_a_clear_error_and_nothing_is_sent() {
        let fake = FakeServer::start().await.unwrap();
        let front = tls_front(fake.addr()).await;
        for backend in BACKENDS {
            let client = client(&fake, front, *backend, None).unwrap();
            let err = client.workspaces().get("acme").await.unwrap_err();
            let Error::Connection(t) = &err else { panic!("{backend:?}: expected a connection error, got {err:?}") };
            assert!(t.before_send, "{backend:?}: {err}");
            let mut chain = err.to_string();
            let mut source = std::error::Error::source(&err);
            while let Some(e) = source {
                chain.push_str(&format!(" / {e}"));
                source = e.source();
            }
            assert!(chain.to_lowercase().contains("certificate"), "{backend:?}: {chain}");
            if is_rustls(*backend) {
                // rustls's refusal is named, with the fix, and not retried (it would be refused again).
                assert!(
                    err.to_string().starts_with("could not connect: the server's TLS certificate was refused ("),
                    "{chain} {err:?}"
                );
                assert!(err.to_string().contains("add_root_certificate_pem"), "{err}");
                assert_eq!(t.attempts, 1, "{backend:?}: {err}");
            }
        }
        assert!(fake.requests().is_empty(), "nothing reached the server");
    }

    #[tokio::test]
    async fn bad_root_certificates_are_configuration_errors() {
        let fake = FakeServer::start().await.unwrap();
        let front: SocketAddr = "127.0.0.1:9".parse().unwrap();
        for backend in BACKENDS {
            for bad in
                ["", "not a certificate", "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n"]
            {
                let Err(Error::Config(e)) = client(&fake, front, *backend, Some(bad)) else {
                    panic!("{backend:?}: {bad:?} was accepted")
                };
                assert_eq!(e.setting, "root_certificate", "{backend:?}");
                assert!(e.message.contains("root certificate #1 is not a PEM certificate"), "{}", e.message);
            }
        }
        // (`reqwest::Client::new()` would panic here with the `rustls` feature alone: reqwest has no provider.)
        let own = super::configure(reqwest::Client::builder(), BACKENDS.first().copied(), &Default::default());
        let own = own.unwrap().build().unwrap();
        let with_own_client = fake.client_builder().http_client(own).add_root_certificate_pem(CA);
        let Err(Error::Config(e)) = with_own_client.build() else { panic!("roots with http_client were accepted") };
        assert_eq!(e.setting, "root_certificate");
        assert!(e.message.contains("http_client"), "{}", e.message);
    }
}
