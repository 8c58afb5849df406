# Project-wide compile flags: warnings on for our code, optional sanitizers.
add_library(tollgate_flags INTERFACE)
target_compile_options(tollgate_flags INTERFACE -Wall -Wextra -Wpedantic -Wno-unused-parameter)
target_include_directories(tollgate_flags INTERFACE ${PROJECT_SOURCE_DIR})
if(TOLLGATE_SANITIZE)
  target_compile_options(tollgate_flags INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer)
  target_link_options(tollgate_flags INTERFACE -fsanitize=address,undefined)
endif()
