#pragma once
// The parsed request type shared by the connection, the handler and the stats.
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

namespace tollgate::mock {

using Request = boost::beast::http::request<boost::beast::http::string_body>;

}  // namespace tollgate::mock
