#pragma once
// What the allocator (tcmalloc, when the binary links it) may keep for itself. Under load it
// holds freed memory in per-thread caches and in its page heap and, left alone, returns none
// of it: after 256 connections the gateway's RSS was ~30 MiB of tcmalloc's own free lists for
// ~16 MiB the program used (bench/optimizations.md, "Memory under 256 connections").
// Without tcmalloc (the tests, the sanitizer builds) both calls do nothing.

namespace tollgate::app {

// At start, before the threads: bounds the per-thread caches of freed objects, all threads
// together.
void bound_allocator_caches();

// Hands the page heap's free spans back to the operating system (what a burst of load freed);
// the next allocation that needs them faults pages in again. Called about once a second, off
// the I/O threads.
void release_free_memory();

}  // namespace tollgate::app
