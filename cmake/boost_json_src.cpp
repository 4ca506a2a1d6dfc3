// Boost.JSON compiled into the Windows cross build, header-only mode (see windows_cross.cmake).
#include <boost/json/src.hpp>
