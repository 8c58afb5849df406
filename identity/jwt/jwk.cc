#include "identity/jwt/jwk.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/param_build.h>

#include "core/json_parse.h"
#include "identity/jwt/base64url.h"

namespace tollgate::identity::jwt {
namespace {

constexpr std::size_t kMaxKeys = 64;
constexpr int kMinRsaBits = 2048;

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct CtxFree {
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
};
struct BldFree {
  void operator()(OSSL_PARAM_BLD* p) const { OSSL_PARAM_BLD_free(p); }
};
struct ParamFree {
  void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); }
};
struct BnFree {
  void operator()(BIGNUM* p) const { BN_free(p); }
};

std::optional<std::string> member_text(const rapidjson::Value& jwk, const char* name) {
  const auto it = jwk.FindMember(name);
  if (it == jwk.MemberEnd() || !it->value.IsString()) return std::nullopt;
  return std::string(it->value.GetString(), it->value.GetStringLength());
}

std::optional<std::string> member_bytes(const rapidjson::Value& jwk, const char* name) {
  const auto text = member_text(jwk, name);
  if (!text) return std::nullopt;
  return base64url_decode(*text);
}

std::shared_ptr<EVP_PKEY> from_params(const char* type, OSSL_PARAM_BLD* bld) {
  std::unique_ptr<OSSL_PARAM, ParamFree> params(OSSL_PARAM_BLD_to_param(bld));
  std::unique_ptr<EVP_PKEY_CTX, CtxFree> ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) <= 0) return nullptr;
  EVP_PKEY* key = nullptr;
  if (EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params.get()) <= 0) return nullptr;
  std::shared_ptr<EVP_PKEY> owned(key, PkeyFree{});
  // The point must lie on the curve (an invalid-curve point could leak nothing here, since
  // only verification happens, but a key that is not a key is refused all the same).
  std::unique_ptr<EVP_PKEY_CTX, CtxFree> check(EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr));
  if (!check || EVP_PKEY_public_check(check.get()) != 1) return nullptr;
  return owned;
}

std::shared_ptr<EVP_PKEY> rsa_key(const rapidjson::Value& jwk) {
  const auto n = member_bytes(jwk, "n");
  const auto e = member_bytes(jwk, "e");
  if (!n || !e || n->empty() || e->empty() || e->size() > 8) return nullptr;
  std::unique_ptr<BIGNUM, BnFree> bn_n(
      BN_bin2bn(reinterpret_cast<const unsigned char*>(n->data()), static_cast<int>(n->size()), nullptr));
  std::unique_ptr<BIGNUM, BnFree> bn_e(
      BN_bin2bn(reinterpret_cast<const unsigned char*>(e->data()), static_cast<int>(e->size()), nullptr));
  if (!bn_n || !bn_e || BN_num_bits(bn_n.get()) < kMinRsaBits) return nullptr;
  std::unique_ptr<OSSL_PARAM_BLD, BldFree> bld(OSSL_PARAM_BLD_new());
  if (!bld || !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) ||
      !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get())) {
    return nullptr;
  }
  return from_params("RSA", bld.get());
}

std::shared_ptr<EVP_PKEY> ec_key(const rapidjson::Value& jwk, const char* group, std::size_t coordinate_bytes) {
  const auto x = member_bytes(jwk, "x");
  const auto y = member_bytes(jwk, "y");
  if (!x || !y || x->size() != coordinate_bytes || y->size() != coordinate_bytes) return nullptr;
  const std::string point = std::string(1, '\x04') + *x + *y;  // uncompressed SEC1 point
  std::unique_ptr<OSSL_PARAM_BLD, BldFree> bld(OSSL_PARAM_BLD_new());
  if (!bld || !OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, 0) ||
      !OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size())) {
    return nullptr;
  }
  return from_params("EC", bld.get());
}

std::shared_ptr<EVP_PKEY> ed25519_key(const rapidjson::Value& jwk) {
  const auto x = member_bytes(jwk, "x");
  if (!x || x->size() != 32) return nullptr;
  EVP_PKEY* key = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr,
                                              reinterpret_cast<const unsigned char*>(x->data()), x->size());
  return key == nullptr ? nullptr : std::shared_ptr<EVP_PKEY>(key, PkeyFree{});
}

std::optional<VerificationKey> parse_jwk(const rapidjson::Value& jwk) {
  if (!jwk.IsObject()) return std::nullopt;
  if (const auto use = member_text(jwk, "use"); use && *use != "sig") return std::nullopt;
  VerificationKey key;
  key.kid = member_text(jwk, "kid").value_or("");
  if (const auto alg_text = member_text(jwk, "alg")) {
    key.alg = parse_algorithm(*alg_text);
    if (!key.alg) return std::nullopt;  // an algorithm we do not verify (or "none")
  }
  const auto kty = member_text(jwk, "kty").value_or("");
  const auto crv = member_text(jwk, "crv").value_or("");
  if (kty == "RSA") {
    key.type = KeyType::rsa;
    key.public_key = rsa_key(jwk);
  } else if (kty == "EC" && crv == "P-256") {
    key.type = KeyType::ec_p256;
    key.public_key = ec_key(jwk, "prime256v1", 32);
  } else if (kty == "EC" && crv == "P-384") {
    key.type = KeyType::ec_p384;
    key.public_key = ec_key(jwk, "secp384r1", 48);
  } else if (kty == "OKP" && crv == "Ed25519") {
    key.type = KeyType::ed25519;
    key.public_key = ed25519_key(jwk);
  } else {
    return std::nullopt;  // "oct" among them: a JWKS never carries an HMAC secret we would use
  }
  if (!key.public_key) return std::nullopt;
  if (key.alg && !key.allows(*key.alg)) return std::nullopt;  // e.g. an RSA key labelled ES256
  return key;
}

}  // namespace

bool VerificationKey::allows(Algorithm algorithm) const {
  if (alg && *alg != algorithm) return false;
  switch (type) {
    case KeyType::rsa:
      return algorithm == Algorithm::rs256 || algorithm == Algorithm::rs384 || algorithm == Algorithm::rs512 ||
             algorithm == Algorithm::ps256;
    case KeyType::ec_p256: return algorithm == Algorithm::es256;
    case KeyType::ec_p384: return algorithm == Algorithm::es384;
    case KeyType::ed25519: return algorithm == Algorithm::eddsa;
    case KeyType::hmac: return algorithm == Algorithm::hs256;
  }
  return false;
}

std::optional<KeySet> parse_jwks(std::string_view document) {
  rapidjson::Document doc;
  core::JsonParseOptions options;
  options.max_depth = 8;
  if (core::parse_json(document, doc, options) || !doc.IsObject()) return std::nullopt;
  const auto keys = doc.FindMember("keys");
  if (keys == doc.MemberEnd() || !keys->value.IsArray()) return std::nullopt;
  KeySet set;
  for (const auto& jwk : keys->value.GetArray()) {
    if (set.size() == kMaxKeys) break;
    if (auto key = parse_jwk(jwk)) set.push_back(std::move(*key));
  }
  return set;
}

VerificationKey hmac_key(std::string secret) {
  VerificationKey key;
  key.type = KeyType::hmac;
  key.alg = Algorithm::hs256;
  key.secret = std::move(secret);
  return key;
}

}  // namespace tollgate::identity::jwt
