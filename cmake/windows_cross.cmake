# What the Windows cross build (mingw-w64 on Debian) links instead of find_package: Debian packages
# no mingw builds of Boost, OpenSSL, SQLite or Poco (design/FEASIBILITY.md). Boost.JSON is built
# header-only from Debian's own Boost headers, which are platform-neutral; the native Windows build
# (vcpkg.json, CMakePresets.json) finds the real packages instead.
#
# Only boost/ is exposed: adding /usr/include itself would put glibc's headers in front of mingw's.
set(MAMORI_BOOST_SHIM ${CMAKE_BINARY_DIR}/boost-shim)
file(MAKE_DIRECTORY ${MAMORI_BOOST_SHIM})
file(CREATE_LINK /usr/include/boost ${MAMORI_BOOST_SHIM}/boost SYMBOLIC)
if(NOT EXISTS ${MAMORI_BOOST_SHIM}/boost/json/src.hpp)
  message(FATAL_ERROR "Boost.JSON headers not found in /usr/include/boost (libboost-json1.81-dev)")
endif()

add_library(mamori_boost_json STATIC ${CMAKE_CURRENT_LIST_DIR}/boost_json_src.cpp)
target_include_directories(mamori_boost_json SYSTEM PUBLIC ${MAMORI_BOOST_SHIM})
target_compile_features(mamori_boost_json PUBLIC cxx_std_23)
add_library(Boost::json ALIAS mamori_boost_json)
