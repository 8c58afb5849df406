#include "cluster/peer_tls.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <cstring>
#include <memory>

namespace tollgate::cluster {
namespace {

struct CtxDeleter {
  void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
};
struct StoreCtxDeleter {
  void operator()(X509_STORE_CTX* ctx) const { X509_STORE_CTX_free(ctx); }
};

// OpenSSL's reason for the last failure (its queue is per thread: emptied here).
std::string openssl_reason() {
  std::string reason;
  while (const auto code = ERR_get_error()) {
    char text[256];
    ERR_error_string_n(code, text, sizeof text);
    reason = text;  // the last one is the most specific
  }
  return reason.empty() ? "unknown OpenSSL error" : reason;
}

core::ApiError refused(const std::string& what) { return core::internal_error("cluster TLS: " + what); }

int passphrase_callback(char* buffer, int size, int, void* passphrase) {
  const auto& text = *static_cast<const std::string*>(passphrase);
  if (size <= 0 || text.size() >= static_cast<std::size_t>(size)) return 0;
  std::memcpy(buffer, text.data(), text.size());
  return static_cast<int>(text.size());
}

// The node's own certificate must chain to the CA its peers check it against, or every peer
// would refuse it: better said once at start-up than as a handshake failure on every sync.
core::Status check_signed_by_ca(SSL_CTX* ctx, const PeerTls& tls) {
  std::unique_ptr<X509_STORE_CTX, StoreCtxDeleter> verify(X509_STORE_CTX_new());
  X509* certificate = SSL_CTX_get0_certificate(ctx);
  STACK_OF(X509)* chain = nullptr;
  SSL_CTX_get0_chain_certs(ctx, &chain);
  if (!verify || !certificate ||
      X509_STORE_CTX_init(verify.get(), SSL_CTX_get_cert_store(ctx), certificate, chain) != 1) {
    return refused("cannot check " + tls.certificate + " against " + tls.ca + ": " + openssl_reason());
  }
  if (X509_verify_cert(verify.get()) != 1) {
    const auto error = X509_STORE_CTX_get_error(verify.get());
    return refused("certificate " + tls.certificate + " is not accepted by the CA in " + tls.ca + " (" +
                   X509_verify_cert_error_string(error) + ")");
  }
  return {};
}

}  // namespace

core::Status check_peer_tls(const PeerTls& tls) {
  std::string missing;
  if (tls.certificate.empty()) missing += " certificate";
  if (tls.key.empty()) missing += " key";
  if (tls.ca.empty()) missing += " ca";
  if (!missing.empty()) {
    return refused("missing" + missing +
                   ": the node-to-node transport needs a certificate, its key and the cluster CA (without "
                   "them CAF would accept any peer, unauthenticated)");
  }
  ERR_clear_error();
  std::unique_ptr<SSL_CTX, CtxDeleter> ctx(SSL_CTX_new(TLS_method()));
  if (!ctx) return refused("cannot create an OpenSSL context: " + openssl_reason());
  std::string passphrase = tls.passphrase;
  SSL_CTX_set_default_passwd_cb(ctx.get(), passphrase_callback);
  SSL_CTX_set_default_passwd_cb_userdata(ctx.get(), &passphrase);
  if (SSL_CTX_use_certificate_chain_file(ctx.get(), tls.certificate.c_str()) != 1) {
    return refused("cannot load certificate " + tls.certificate + ": " + openssl_reason());
  }
  if (SSL_CTX_use_PrivateKey_file(ctx.get(), tls.key.c_str(), SSL_FILETYPE_PEM) != 1) {
    return refused("cannot load private key " + tls.key + ": " + openssl_reason());
  }
  if (SSL_CTX_check_private_key(ctx.get()) != 1) {
    return refused("private key " + tls.key + " does not match certificate " + tls.certificate + ": " +
                   openssl_reason());
  }
  if (SSL_CTX_load_verify_locations(ctx.get(), tls.ca.c_str(), nullptr) != 1) {
    return refused("cannot load CA certificates " + tls.ca + ": " + openssl_reason());
  }
  return check_signed_by_ca(ctx.get(), tls);
}

}  // namespace tollgate::cluster
