#pragma once
// AWS Signature Version 4 (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html)
// for one request, as the AWS SDK for JavaScript signs Bedrock calls: the path URI-encoded
// twice (services other than S3), the signed headers `host`, `x-amz-content-sha256`,
// `x-amz-date`, the request's own (content-type, accept) and, with temporary credentials,
// `x-amz-security-token`. Pure: the clock comes in as an argument.
#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tollgate::providers::bedrock {

struct AwsCredentials {
  std::string access_key_id;
  std::string secret_access_key;  // a secret: never logged
  std::string session_token;      // a secret; "" for long-term credentials
};

struct SigV4Request {
  std::string_view method;  // "POST"
  std::string_view host;  // as the Host header carries it ("bedrock-runtime.us-east-1.amazonaws.com", "127.0.0.1:8080")
  std::string_view path;  // the path as sent, already percent-encoded once ("/model/a%3A0/converse")
  std::string_view query;  // "" or "a=1&b=2" (sorted by the signer)
  // Headers sent besides host/x-amz-date/x-amz-security-token that the signature covers
  // (names in lowercase), e.g. content-type.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string_view body;
  std::string_view region;
  std::string_view service;  // "bedrock"
};

// The headers to add to the request: x-amz-date, x-amz-content-sha256, x-amz-security-token
// (when a session token is set) and authorization.
std::vector<std::pair<std::string, std::string>> sigv4_headers(const SigV4Request& request,
                                                               const AwsCredentials& credentials,
                                                               std::chrono::system_clock::time_point now);

// The pieces, exposed for the tests against AWS's published examples and the AWS SDK.
std::string amz_date(std::chrono::system_clock::time_point now);  // 20150830T123600Z
std::string uri_encode(std::string_view text, bool keep_slash);   // RFC 3986 unreserved kept
// `payload_hash`: lowercase hex SHA-256 of the body.
std::string canonical_request(const SigV4Request& request, std::string_view amz_date, std::string_view session_token,
                              std::string_view payload_hash, std::string& signed_headers);

}  // namespace tollgate::providers::bedrock
