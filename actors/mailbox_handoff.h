#pragma once
// CAF's mailbox orders a message's sender before its receiver, but libcaf_core is not built
// with ThreadSanitizer, so TSan cannot see that ordering for what a message points to (a
// ticket). The sender marks what it hands over, the handler marks it taken over before using
// it: the ordering the mailbox gives, told to TSan. No code in other builds.
#if defined(__SANITIZE_THREAD__)
#include <sanitizer/tsan_interface.h>

namespace tollgate::actors {
inline void handed_over(const void* object) { __tsan_release(const_cast<void*>(object)); }
inline void taken_over(const void* object) { __tsan_acquire(const_cast<void*>(object)); }
}  // namespace tollgate::actors
#else
namespace tollgate::actors {
inline void handed_over(const void*) {}
inline void taken_over(const void*) {}
}  // namespace tollgate::actors
#endif
