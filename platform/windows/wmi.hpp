#pragma once

// WQL queries through COM (IWbemLocator / IWbemServices), each instance returned as a WmiObject.
// The caller's thread must be in a COM apartment (ComApartment).

#include <expected>
#include <string>
#include <string_view>
#include <vector>

#include "mamori/platform/wmi_object.hpp"

namespace mamori::platform::windows {

/// `ns` like `root\SecurityCenter2`; the error names the namespace, the query and the HRESULT.
/// Array properties are left out (none of the classes read here needs one).
std::expected<std::vector<WmiObject>, std::string> wmiQuery(std::string_view ns,
                                                            std::string_view wql);

}  // namespace mamori::platform::windows
