#include "http/exchange.h"

#include "http/url.h"

namespace tollgate::http {

std::string_view Exchange::param(std::string_view name) const {
  for (const auto& [key, value] : params_) {
    if (key == name) {
      return value;
    }
  }
  return {};
}

core::Result<std::optional<std::string>> Exchange::query_param(std::string_view name) const {
  return query_value(query_, name);
}

void Exchange::respond(Response response) {
  if (running_on_executor()) {
    respond_here(std::move(response));
    return;
  }
  post([self = shared_from_this(), response = std::move(response)]() mutable {
    self->respond_here(std::move(response));
  });
}

void Exchange::start_stream(int status, Headers headers, std::string content_type) {
  if (running_on_executor()) {
    start_stream_here(status, std::move(headers), std::move(content_type));
    return;
  }
  post([self = shared_from_this(), status, headers = std::move(headers),
        content_type = std::move(content_type)]() mutable {
    self->start_stream_here(status, std::move(headers), std::move(content_type));
  });
}

void Exchange::send_chunk(std::string data) {
  if (running_on_executor()) {
    send_chunk_here(std::move(data));
    return;
  }
  post([self = shared_from_this(), data = std::move(data)]() mutable { self->send_chunk_here(std::move(data)); });
}

void Exchange::finish_stream() {
  if (running_on_executor()) {
    finish_stream_here();
    return;
  }
  post([self = shared_from_this()] { self->finish_stream_here(); });
}

void Exchange::abort_stream() {
  if (running_on_executor()) {
    abort_stream_here();
    return;
  }
  post([self = shared_from_this()] { self->abort_stream_here(); });
}

void Exchange::on_client_gone(std::function<void()> callback) {
  if (running_on_executor()) {
    on_client_gone_here(std::move(callback));
    return;
  }
  post([self = shared_from_this(), callback = std::move(callback)]() mutable {
    self->on_client_gone_here(std::move(callback));
  });
}

}  // namespace tollgate::http
