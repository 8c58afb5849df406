#include "identity/jwt/signature.h"

#include <openssl/ecdsa.h>
#include <openssl/hmac.h>
#include <openssl/rsa.h>

#include <memory>
#include <string>

#include "core/constant_time.h"

namespace tollgate::identity::jwt {
namespace {

struct MdCtxFree {
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
struct SigFree {
  void operator()(ECDSA_SIG* p) const { ECDSA_SIG_free(p); }
};

const EVP_MD* digest_of(Algorithm alg) {
  switch (alg) {
    case Algorithm::rs256:
    case Algorithm::ps256:
    case Algorithm::es256:
    case Algorithm::hs256: return EVP_sha256();
    case Algorithm::rs384:
    case Algorithm::es384: return EVP_sha384();
    case Algorithm::rs512: return EVP_sha512();
    case Algorithm::eddsa: return nullptr;  // Ed25519 hashes internally
  }
  return nullptr;
}

// JOSE carries ECDSA signatures as r||s of fixed width; OpenSSL verifies DER.
std::string raw_ecdsa_to_der(std::string_view raw, std::size_t coordinate_bytes) {
  if (raw.size() != 2 * coordinate_bytes) return {};
  const auto* bytes = reinterpret_cast<const unsigned char*>(raw.data());
  BIGNUM* r = BN_bin2bn(bytes, static_cast<int>(coordinate_bytes), nullptr);
  BIGNUM* s = BN_bin2bn(bytes + coordinate_bytes, static_cast<int>(coordinate_bytes), nullptr);
  std::unique_ptr<ECDSA_SIG, SigFree> sig(ECDSA_SIG_new());
  if (!r || !s || !sig || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return {};
  }
  unsigned char* der = nullptr;
  const int length = i2d_ECDSA_SIG(sig.get(), &der);
  if (length <= 0) return {};
  std::string out(reinterpret_cast<char*>(der), static_cast<std::size_t>(length));
  OPENSSL_free(der);
  return out;
}

bool verify_hmac(const VerificationKey& key, std::string_view input, std::string_view signature) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (key.secret.empty() ||
      HMAC(EVP_sha256(), key.secret.data(), static_cast<int>(key.secret.size()),
           reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &length) == nullptr) {
    return false;
  }
  return core::constant_time_equals(std::string_view(reinterpret_cast<const char*>(mac), length), signature);
}

bool verify_public(Algorithm alg, const VerificationKey& key, std::string_view input, std::string_view signature) {
  std::string der;
  if (alg == Algorithm::es256 || alg == Algorithm::es384) {
    der = raw_ecdsa_to_der(signature, alg == Algorithm::es256 ? 32 : 48);
    if (der.empty()) return false;
    signature = der;
  }
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), &pctx, digest_of(alg), nullptr, key.public_key.get()) != 1) {
    return false;
  }
  if (alg == Algorithm::ps256 && (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
                                  EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1 ||
                                  EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) != 1)) {
    return false;
  }
  if (alg == Algorithm::rs256 || alg == Algorithm::rs384 || alg == Algorithm::rs512) {
    if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1) return false;
  }
  return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                          reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1;
}

}  // namespace

bool verify_signature(Algorithm alg, const VerificationKey& key, std::string_view signing_input,
                      std::string_view signature) {
  if (!key.allows(alg)) return false;
  if (key.type == KeyType::hmac) return verify_hmac(key, signing_input, signature);
  if (!key.public_key) return false;
  return verify_public(alg, key, signing_input, signature);
}

}  // namespace tollgate::identity::jwt
