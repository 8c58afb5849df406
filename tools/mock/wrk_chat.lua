-- wrk script: keep-alive POSTs of a small non-streaming chat request to tollgate-mock.
--   wrk -t1 -c32 -d10s -s tools/mock/wrk_chat.lua http://127.0.0.1:PORT
wrk.method = "POST"
wrk.path = "/v1/chat/completions"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"model":"mock","messages":[{"role":"user","content":"Hello, how are you?"}]}'
