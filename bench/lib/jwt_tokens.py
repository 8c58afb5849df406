#!/usr/bin/env python3
"""Signing material for the JWT scenario, made with the openssl CLI (nothing to install):

  jwt_tokens.py DIR COUNT TEAM_PREFIX AUDIENCE

writes DIR/jwks/jwks.json (one RSA-2048 key, kid bench-1, RS256) and DIR/jwt.tokens: COUNT
RS256 tokens, the i-th for team TEAM_PREFIX-i (claim client_id), valid for two hours, one a line.
"""
import base64
import json
import os
import subprocess
import sys
import time


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def main():
    out, count, team, audience = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    key = os.path.join(out, "jwt-key.pem")
    subprocess.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", key],
                   check=True, capture_output=True)
    modulus = subprocess.run(["openssl", "rsa", "-in", key, "-noout", "-modulus"], check=True,
                             capture_output=True, text=True).stdout.strip().split("=", 1)[1]
    os.makedirs(os.path.join(out, "jwks"), exist_ok=True)
    jwk = {"kty": "RSA", "kid": "bench-1", "use": "sig", "alg": "RS256",
           "n": b64(bytes.fromhex(modulus)), "e": b64((65537).to_bytes(3, "big"))}
    json.dump({"keys": [jwk]}, open(os.path.join(out, "jwks", "jwks.json"), "w"))
    header = b64(json.dumps({"alg": "RS256", "typ": "JWT", "kid": "bench-1"}).encode())
    now = int(time.time())
    with open(os.path.join(out, "jwt.tokens"), "w") as tokens:
        for i in range(count):
            claims = {"iss": "https://bench.idp", "aud": audience, "iat": now, "exp": now + 7200,
                      "sub": f"bench-service-{i}", "client_id": f"{team}-{i}", "jti": f"bench-{i}"}
            signing_input = header + "." + b64(json.dumps(claims).encode())
            signature = subprocess.run(["openssl", "dgst", "-sha256", "-sign", key], input=signing_input.encode(),
                                       check=True, capture_output=True).stdout
            tokens.write(signing_input + "." + b64(signature) + "\n")


if __name__ == "__main__":
    main()
