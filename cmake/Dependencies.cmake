# Third-party packages, all from Debian bookworm (see scripts/install-deps).
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
find_package(Boost 1.74 REQUIRED COMPONENTS system)
find_package(OpenSSL REQUIRED)
find_package(RapidJSON CONFIG REQUIRED)
find_package(prometheus-cpp CONFIG REQUIRED)
find_package(yaml-cpp CONFIG REQUIRED)
find_package(SQLite3 REQUIRED)
pkg_check_modules(PQXX REQUIRED IMPORTED_TARGET libpqxx)
pkg_check_modules(PQ REQUIRED IMPORTED_TARGET libpq)
pkg_check_modules(HIREDIS REQUIRED IMPORTED_TARGET hiredis)

# Debian ships CAF 0.17.6 without CMake or pkg-config files.
find_library(CAF_CORE_LIB caf_core REQUIRED)
find_library(CAF_IO_LIB caf_io REQUIRED)
add_library(caf INTERFACE)
target_link_libraries(caf INTERFACE ${CAF_IO_LIB} ${CAF_CORE_LIB} Threads::Threads)
# Remote actors over mutual TLS (cluster/peer_link).
find_library(CAF_OPENSSL_LIB caf_openssl REQUIRED)
add_library(caf_openssl INTERFACE)
target_link_libraries(caf_openssl INTERFACE ${CAF_OPENSSL_LIB} caf OpenSSL::SSL OpenSSL::Crypto)

add_library(rapidjson INTERFACE)
target_include_directories(rapidjson SYSTEM INTERFACE ${RAPIDJSON_INCLUDE_DIRS})
target_compile_definitions(rapidjson INTERFACE RAPIDJSON_HAS_STDSTRING=1)

add_library(beast INTERFACE)
target_link_libraries(beast INTERFACE Boost::system OpenSSL::SSL OpenSSL::Crypto Threads::Threads)
target_compile_definitions(beast INTERFACE BOOST_BEAST_USE_STD_STRING_VIEW BOOST_ASIO_NO_DEPRECATED)
