# Every compiler setting of the project lives in this one interface target;
# every mamori target links it (STYLE.md rule 3).
add_library(mamori_options INTERFACE)
add_library(mamori::options ALIAS mamori_options)

# Extensions off: with GNU extensions `linux` is a predefined macro and breaks `namespace linux`.
set(CMAKE_CXX_EXTENSIONS OFF)
target_compile_features(mamori_options INTERFACE cxx_std_23)
if(MSVC)
  # The native Windows build (CMakePresets.json): sources are UTF-8 (Japanese text).
  target_compile_options(mamori_options INTERFACE /W4 /permissive- /utf-8 /Zc:__cplusplus
    $<$<BOOL:${MAMORI_WERROR}>:/WX>)
else()
  target_compile_options(mamori_options INTERFACE
    -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion
    -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Woverloaded-virtual
    # Not -Wnull-dereference: with GCC 12 it misfires inside inlined libstdc++/Boost code.
    -Wimplicit-fallthrough
    # Aggregates rely on default member initializers; GCC 12 still warns when a brace list
    # leaves such members out, even with designated initializers.
    -Wno-missing-field-initializers
    $<$<BOOL:${MAMORI_WERROR}>:-Werror>)
endif()

if(MAMORI_SANITIZE)
  target_compile_options(mamori_options INTERFACE
    -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  target_link_options(mamori_options INTERFACE -fsanitize=address,undefined)
endif()
