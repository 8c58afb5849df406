#pragma once
// A RapidJSON document whose memory pool grows in small chunks. RapidJSON's own pool takes a
// 64 KiB chunk for a document's first value, and a request keeps its parsed body for its whole
// life: at 256 concurrent calls those chunks were most of the gateway's resident memory
// (heaptrack, issue #15 item 2). Use it for documents that outlive a function call; a document
// parsed and dropped within one call may stay a plain rapidjson::Document.
#include <rapidjson/document.h>

namespace tollgate::core {

namespace detail {
// Constructed before the document that allocates from it (base-from-member).
struct SmallChunkPool {
  static constexpr std::size_t kChunkBytes = 2048;
  rapidjson::MemoryPoolAllocator<> pool{kChunkBytes};
};
}  // namespace detail

class JsonDocument : private detail::SmallChunkPool, public rapidjson::Document {
 public:
  JsonDocument() : rapidjson::Document(&pool) {}
  // The document points at its own pool: it cannot be copied or moved away from it.
  JsonDocument(const JsonDocument&) = delete;
  JsonDocument& operator=(const JsonDocument&) = delete;
};

}  // namespace tollgate::core
